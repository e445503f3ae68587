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
