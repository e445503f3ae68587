"""MMS attachments for the demo: File objects (document section "File") with a small
generated PNG as their ``preview`` (no image library needed: the PNG is written by hand)."""

from __future__ import annotations

import base64
import random
import struct
import zlib

from app.demo.identifiers import new_id
from app.demo.timestamps import now_iso
from app.demo.wire import JsonDict

PREVIEW_WIDTH = 160
PREVIEW_HEIGHT = 120

# (name, description, top colour, bottom colour)
PHOTOS: tuple[tuple[str, str, tuple[int, int, int], tuple[int, int, int]], ...] = (
    ("router_lights", "The router's front panel", (28, 38, 64), (90, 170, 120)),
    ("desk_phone", "Desk phone display", (210, 220, 232), (60, 72, 96)),
    ("sunset_office", "View from the office", (250, 180, 90), (70, 40, 110)),
    ("whiteboard", "Whiteboard with the call flow", (245, 245, 240), (180, 190, 200)),
)


def png(width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> bytes:
    """A vertical gradient as a PNG file (8-bit RGB, no interlace)."""
    rows = bytearray()
    for y in range(height):
        share = y / max(height - 1, 1)
        pixel = bytes(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
        rows += b"\x00" + pixel * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def photo_file(rng: random.Random, company_id: str, user_id: str) -> JsonDict:
    """A File object for a photo someone texted, with its preview inline."""
    name, description, top, bottom = rng.choice(PHOTOS)
    preview = png(PREVIEW_WIDTH, PREVIEW_HEIGHT, top, bottom)
    return {
        "id": new_id(),
        "company_id": company_id,
        "description": description,
        "mimetype": "image/jpeg",
        "name": name.replace("_", " ").title(),
        "preview": {
            "base64": base64.b64encode(preview).decode("ascii"),
            "filename": f"{name}_preview.png",
            "mimetype": "image/png",
        },
        "size": rng.randint(180_000, 2_400_000),
        "uploaded_at": now_iso(),
        "uploaded_name": f"{name}.jpg",
        "user_id": user_id,
    }


def document_file(company_id: str, user_id: str, name: str = "invoice-2291.pdf") -> JsonDict:
    """A File object for a document: no preview, shown as a named chip."""
    return {
        "id": new_id(),
        "company_id": company_id,
        "description": "",
        "mimetype": "application/pdf",
        "name": name,
        "preview": None,
        "size": 48_213,
        "uploaded_at": now_iso(),
        "uploaded_name": name,
        "user_id": user_id,
    }
