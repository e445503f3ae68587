"""Real fax files for tests: PDFs from the demo server's generator, multi-page TIFFs written here."""

from __future__ import annotations

import struct
from pathlib import Path

from app.demo.fax_documents import FaxCover, fax_pdf

COVER = FaxCover("RingDesk Tests", "6195550199", "Receiving Office", "8585550123", "Test fax", "June 1, 2024")


def write_pdf(path: Path, pages: int = 3, subject: str = "Test fax") -> Path:
    cover = FaxCover(COVER.from_name, COVER.from_number, COVER.to_name, COVER.to_number, subject, COVER.date)
    paragraphs = [f"Paragraph {n} of the test fax. " * 12 for n in range(1, pages * 3 + 1)]
    path.write_bytes(fax_pdf(cover, paragraphs, pages=pages))
    return path


def tiff_bytes(pages: int, width: int = 170, height: int = 220) -> bytes:
    """An uncompressed 8-bit grey TIFF with ``pages`` images; page n has a dark band at n/pages."""
    out = bytearray(b"II*\x00" + struct.pack("<I", 0))
    previous_link = 4  # where the offset of the next IFD goes
    for page in range(pages):
        pixels = bytearray(b"\xff" * (width * height))
        top = int(height * page / max(pages, 1))
        for y in range(top, min(top + height // (pages + 1), height)):
            pixels[y * width : (y + 1) * width] = b"\x20" * width
        data_offset = len(out)
        out += pixels
        if len(out) % 2:
            out += b"\x00"
        ifd_offset = len(out)
        struct.pack_into("<I", out, previous_link, ifd_offset)
        entries = [
            (256, 3, 1, width),
            (257, 3, 1, height),
            (258, 3, 1, 8),
            (259, 3, 1, 1),
            (262, 3, 1, 1),
            (273, 4, 1, data_offset),
            (277, 3, 1, 1),
            (278, 3, 1, height),
            (279, 4, 1, width * height),
        ]
        out += struct.pack("<H", len(entries))
        for tag, kind, count, value in entries:
            packed = struct.pack("<HI", value, 0)[:4] if kind == 3 else struct.pack("<I", value)
            out += struct.pack("<HHI", tag, kind, count) + packed
        previous_link = len(out)
        out += struct.pack("<I", 0)
    return bytes(out)


def write_tiff(path: Path, pages: int = 2) -> Path:
    path.write_bytes(tiff_bytes(pages))
    return path
