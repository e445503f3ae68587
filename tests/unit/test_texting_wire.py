"""Texting payloads: MMS file previews as the document's File object carries them."""

from __future__ import annotations

import base64

from app.providers.ringplan.wire import MAX_PREVIEW_BYTES, WireMessage, message_from_wire

BASE = {"id": "m1", "conversation_id": "c1", "created_at": "2021-10-01T17:14:55.613000+0300"}


def test_a_file_preview_is_decoded_and_a_broken_one_is_dropped() -> None:
    files = [
        {"id": "f1", "name": "Cat", "mimetype": "image/jpeg", "size": 284821,
         "preview": {"base64": base64.b64encode(b"\x89PNGdata").decode(), "mimetype": "image/png"}},
        {"id": "f2", "uploaded_name": "cat.jpg", "preview": {"base64": 42}},
        {"id": "f3", "name": "big", "preview": {"base64": "A" * (MAX_PREVIEW_BYTES * 2)}},
        {"id": "f4", "name": "odd", "preview": "not an object"},
        {"name": "no id: dropped"},
    ]
    message = message_from_wire(WireMessage.model_validate({**BASE, "files": files}))
    first, second, third, fourth = message.attachments
    assert (first.preview, first.preview_mimetype, first.size) == (b"\x89PNGdata", "image/png", 284821)
    assert (second.name, second.preview) == ("cat.jpg", b"")
    assert third.preview == b"" and fourth.preview == b""
