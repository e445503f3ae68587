"""Real, small fax documents for the demo server: PDFs written by hand, and page counting.

:func:`fax_pdf` writes a US-letter PDF 1.4 (Helvetica, uncompressed content streams, a
correct cross-reference table) that any reader opens: a cover block with the fax's
parties and subject on page 1, then typed text, one page per paragraph group. No
dependency: a fax page is a few lines of text and rules.

:func:`count_pages` counts the pages of a PDF or a TIFF the way the server does when a
fax is sent (the Fax Message object has a ``pages`` field).
"""

from __future__ import annotations

import re
import struct
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.fax import PDF_MIMETYPE, TIFF_MIMETYPE, fax_mimetype

PAGE_WIDTH = 612  # US letter, points
PAGE_HEIGHT = 792
MARGIN = 64
BODY_SIZE = 11
LINE_HEIGHT = 15
WRAP_COLUMNS = 86


@dataclass(frozen=True, slots=True)
class FaxCover:
    """What page 1 shows above the text."""

    from_name: str
    from_number: str
    to_name: str
    to_number: str
    subject: str
    date: str


def _pdf_text(text: str) -> bytes:
    """A PDF literal string: Latin-1, with ``\\``, ``(`` and ``)`` escaped."""
    raw = text.encode("latin-1", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


class _Page:
    """The content stream of one page, built from a few drawing commands."""

    def __init__(self) -> None:
        self.ops: list[bytes] = []

    def text(self, x: float, y: float, text: str, *, size: float = BODY_SIZE, bold: bool = False) -> None:
        font = b"/F2" if bold else b"/F1"
        self.ops.append(b"BT %s %g Tf %g %g Td %s Tj ET" % (font, size, x, y, _pdf_text(text)))

    def rule(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.8) -> None:
        self.ops.append(b"%g w %g %g m %g %g l S" % (width, x1, y1, x2, y2))

    def box(self, x: float, y: float, w: float, h: float, gray: float) -> None:
        self.ops.append(b"%g g %g %g %g %g re f 0 g" % (gray, x, y, w, h))

    def stream(self) -> bytes:
        return b"\n".join(self.ops)


def _wrapped(paragraphs: Sequence[str]) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(textwrap.wrap(paragraph, WRAP_COLUMNS) or [""])
        lines.append("")
    return lines


def _cover(page: _Page, cover: FaxCover, pages: int) -> float:
    """Draw the cover block; returns the y where the text starts."""
    top = PAGE_HEIGHT - MARGIN
    page.box(MARGIN, top - 46, PAGE_WIDTH - 2 * MARGIN, 46, 0.15)
    page.ops.append(b"1 g")
    page.text(MARGIN + 14, top - 32, "FAX", size=26, bold=True)
    page.ops.append(b"0 g")
    y = top - 80
    rows = (
        ("To:", f"{cover.to_name}  {cover.to_number}".strip()),
        ("From:", f"{cover.from_name}  {cover.from_number}".strip()),
        ("Date:", cover.date),
        ("Pages:", str(pages)),
        ("Subject:", cover.subject),
    )
    for label, value in rows:
        page.text(MARGIN, y, label, bold=True)
        page.text(MARGIN + 70, y, value)
        y -= LINE_HEIGHT + 4
    page.rule(MARGIN, y + 4, PAGE_WIDTH - MARGIN, y + 4, 1.2)
    return y - 18


def fax_pdf(cover: FaxCover, paragraphs: Sequence[str], *, pages: int = 1) -> bytes:
    """A ``pages``-page PDF: the cover block and text on page 1, the text continued after.

    The paragraphs are spread over the pages; a page with no text left says so, so that
    every page of a multi-page fax shows something (and its number).
    """
    if pages < 1:
        raise ValueError("a fax has at least one page")
    lines = _wrapped(paragraphs)
    per_page = max(1, -(-len(lines) // pages))
    streams: list[bytes] = []
    for number in range(1, pages + 1):
        page = _Page()
        y = _cover(page, cover, pages) if number == 1 else PAGE_HEIGHT - MARGIN - 10
        chunk = lines[(number - 1) * per_page : number * per_page]
        if not chunk:
            chunk = ["(This page intentionally left blank.)"]
        for line in chunk:
            if y < MARGIN + 40:
                break
            page.text(MARGIN, y, line)
            y -= LINE_HEIGHT
        page.rule(MARGIN, MARGIN + 22, PAGE_WIDTH - MARGIN, MARGIN + 22, 0.5)
        page.text(MARGIN, MARGIN + 8, cover.subject[:60], size=8)
        page.text(PAGE_WIDTH - MARGIN - 60, MARGIN + 8, f"Page {number} of {pages}", size=8)
        streams.append(page.stream())
    return _assemble(streams)


def _assemble(streams: Sequence[bytes]) -> bytes:
    """Objects 1 catalog, 2 pages, 3-4 fonts, then a page and its content per page."""
    count = len(streams)
    kids = b" ".join(b"%d 0 R" % (5 + 2 * i) for i in range(count))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    for index, stream in enumerate(streams):
        content = 6 + 2 * index
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>"
            % (PAGE_WIDTH, PAGE_HEIGHT, content)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream) + 1, stream))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def count_pages(content: bytes) -> int:
    """Pages of a PDF (its page objects) or a TIFF (its image directories); at least 1."""
    kind = fax_mimetype(content[:8])
    if kind == PDF_MIMETYPE:
        return max(1, len(_PDF_PAGE.findall(content)))
    if kind == TIFF_MIMETYPE:
        return max(1, _tiff_directories(content))
    return 1


def _tiff_directories(content: bytes) -> int:
    order = "<" if content[:2] == b"II" else ">"
    seen: set[int] = set()
    try:
        (offset,) = struct.unpack_from(order + "I", content, 4)
        while offset and offset not in seen and offset + 2 <= len(content):
            seen.add(offset)
            (entries,) = struct.unpack_from(order + "H", content, offset)
            (offset,) = struct.unpack_from(order + "I", content, offset + 2 + 12 * entries)
        return len(seen)
    except struct.error:
        return len(seen)
