"""tel:, sip:, callto: and sms: links as browsers and other apps hand them over."""

from __future__ import annotations

import pytest

from app.domain.links import CallLink, InvalidLink, SmsLink, looks_like_link, parse_link


@pytest.mark.parametrize(
    ("text", "number", "source"),
    [
        ("tel:+15551234567", "+15551234567", "tel"),
        ("TEL:+1-555-123-4567", "+15551234567", "tel"),
        ("tel:+1 (555) 123.4567", "+15551234567", "tel"),
        ("tel://+15551234567", "+15551234567", "tel"),
        ("tel:%2B15551234567", "+15551234567", "tel"),
        ("tel:1001", "1001", "tel"),
        ("tel:*72", "*72", "tel"),
        ("tel:5551234;phone-context=+1", "5551234", "tel"),
        ("tel:+15551234567;ext=12", "+15551234567", "tel"),
        ("  tel:+15551234567\n", "+15551234567", "tel"),
        ("callto:+15551234567", "+15551234567", "callto"),
        ("callto://+15551234567", "+15551234567", "callto"),
        ("sip:1001@host", "1001", "sip"),
        ("sip:1001@pbx.example.com:5060;transport=tcp", "1001", "sip"),
        ("sips:+15551234567@example.com;user=phone", "+15551234567", "sips"),
        ("sip:1001", "1001", "sip"),
        ("sip:1001:secret@host", "1001", "sip"),
    ],
)
def test_call_links(text: str, number: str, source: str) -> None:
    assert parse_link(text) == CallLink(number, source)


@pytest.mark.parametrize(
    ("text", "number", "body"),
    [
        ("sms:+15551234567?body=hi", "+15551234567", "hi"),
        ("sms:+15551234567", "+15551234567", ""),
        ("SMS://+1-555-123-4567?body=hello%20there", "+15551234567", "hello there"),
        ("sms:+15551234567?body=1+1%3D2", "+15551234567", "1+1=2"),
        ("sms:+15551234567?subject=x&body=caf%C3%A9%0Aline", "+15551234567", "café\nline"),
        ("sms:+15551234567;?body=hi", "+15551234567", "hi"),
        ("sms:+15551234567?body=%00bad%07", "+15551234567", "bad"),
        ("sms:+15551234567?body=%ZZ", "+15551234567", "%ZZ"),
    ],
)
def test_sms_links(text: str, number: str, body: str) -> None:
    assert parse_link(text) == SmsLink(number, body)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("http://example.com", "not a tel:"),
        ("mailto:a@b.c", "not a tel:"),
        ("+15551234567", "not a tel:"),
        ("tel:", "no number"),
        ("tel:abc", "not a phone number"),
        ("tel:+1555+1234", "not a phone number"),
        ("tel:1234567890123456", "more digits"),
        ("tel:١٢٣", "not a phone number"),
        ("tel:+1555\x00123", "control characters"),
        ("sip:alice@example.com", "SIP user name"),
        ("sip:@host", "names no user"),
        ("callto:skype.name", "not a phone number"),
        ("sms:+1555,+1666?body=x", "several recipients"),
        ("sms:*72", "not a phone number"),
        ("sms:+15551234567?body=" + "x" * 1700, "longer than"),
        ("tel:" + "1" * 3000, "longer than"),
    ],
)
def test_bad_links_are_explained(text: str, says: str) -> None:
    with pytest.raises(InvalidLink, match=says):
        parse_link(text)


def test_looks_like_link_checks_the_scheme_only() -> None:
    assert looks_like_link("tel:x") and looks_like_link("SIP:1@h") and looks_like_link("sms:1")
    assert not looks_like_link("--demo") and not looks_like_link("/tmp/x") and not looks_like_link("tel")
