from __future__ import annotations

import pytest

from app.services.calling import NotDialable, mailto_uri, sms_uri, tel_uri


def test_links_for_numbers_extensions_and_addresses() -> None:
    assert tel_uri("+1 (555) 123-4567") == "tel:+15551234567"
    assert tel_uri("1001") == "tel:1001"
    assert tel_uri("*72") == "tel:*72"
    assert sms_uri("+15551234567", "on my way & late") == "sms:+15551234567?body=on%20my%20way%20%26%20late"
    assert mailto_uri("ann.lee+work@example.com") == "mailto:ann.lee+work@example.com"


@pytest.mark.parametrize("bad", ["", "abc", "+", "1+2"])
def test_text_that_is_no_number_is_refused(bad: str) -> None:
    with pytest.raises(NotDialable):
        tel_uri(bad)


def test_an_address_with_injection_is_refused() -> None:
    with pytest.raises(ValueError):
        mailto_uri("a@b.c?cc=evil@x.y <x>")


def test_one_click_numbers_prefer_extensions_for_calls_and_mobiles_for_texts() -> None:
    from app.domain.contacts import Contact, PhoneKind, PhoneNumber
    from app.services.calling import preferred_call_number, preferred_text_number

    colleague = Contact(
        "ringplan",
        "1",
        "Ann",
        phones=(
            PhoneNumber(PhoneKind.WORK, "+16195550100"),
            PhoneNumber(PhoneKind.MOBILE, "+16195550101"),
            PhoneNumber(PhoneKind.EXTENSION, "1001"),
        ),
    )
    assert preferred_call_number(colleague) == "1001"
    assert preferred_text_number(colleague) == "+16195550101"
    fax_only = Contact("local", "2", "Fax", phones=(PhoneNumber(PhoneKind.FAX, "+16195550199"),))
    assert preferred_call_number(fax_only) is None and preferred_text_number(fax_only) is None
