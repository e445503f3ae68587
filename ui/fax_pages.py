"""The pages of a fax document as images: PDFs through QtPdf, TIFFs (every frame) through
QImageReader. Pages are rendered on a white background (PDF pages are transparent)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPainter
from PySide6.QtPdf import QPdfDocument

from app.domain.fax import PDF_MIMETYPE, TIFF_MIMETYPE, fax_mimetype


def read_head(path: Path) -> bytes:
    """The first bytes of a file (blocking: call it on a worker thread)."""
    with path.open("rb") as handle:
        return handle.read(8)


class FaxPagesError(Exception):
    """The document cannot be shown (in words)."""


def _on_white(image: QImage) -> QImage:
    page = QImage(image.size(), QImage.Format.Format_RGB32)
    page.fill(Qt.GlobalColor.white)
    painter = QPainter(page)
    painter.drawImage(0, 0, image)
    painter.end()
    return page


class FaxPages(QObject):
    """One open document; ``load`` it, then ask for ``count`` and ``render(index, width)``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pdf: QPdfDocument | None = None
        self._tiff: QImageReader | None = None
        self._count = 0
        self.kind = ""

    @property
    def count(self) -> int:
        return self._count

    def load(self, path: Path, head: bytes) -> int:
        """Open ``path`` (``head``: its first bytes, read off the Qt thread); its page count."""
        self.close()
        kind = fax_mimetype(head)
        if kind == PDF_MIMETYPE:
            pdf = QPdfDocument(self)
            error = pdf.load(str(path))
            if error != QPdfDocument.Error.None_ or pdf.pageCount() < 1:
                pdf.deleteLater()
                raise FaxPagesError(f"{path.name} is a damaged PDF: it cannot be shown.")
            self._pdf, self._count, self.kind = pdf, pdf.pageCount(), "PDF"
        elif kind == TIFF_MIMETYPE:
            reader = QImageReader(str(path))
            count = reader.imageCount()
            if not reader.canRead():
                raise FaxPagesError(f"{path.name} is a damaged TIFF: it cannot be shown.")
            self._tiff, self._count, self.kind = reader, max(1, count), "TIFF"
        else:
            raise FaxPagesError(f"{path.name} is not a PDF or TIFF document.")
        return self._count

    def page_ratio(self, index: int) -> float:
        """Height / width of a page (letter size when unknown)."""
        if self._pdf is not None:
            points = self._pdf.pagePointSize(index)
            if points.width() > 0:
                return points.height() / points.width()
        elif self._tiff is not None and self._tiff.jumpToImage(index):
            pixels = self._tiff.size()
            if pixels.width() > 0:
                return pixels.height() / pixels.width()
        return 11 / 8.5

    def render(self, index: int, width: int) -> QImage:
        """Page ``index`` (0-based) ``width`` pixels wide; a null image when it cannot be read."""
        if not 0 <= index < self._count:
            return QImage()
        size = QSize(width, max(1, round(width * self.page_ratio(index))))
        if self._pdf is not None:
            return _on_white(self._pdf.render(index, size))
        if self._tiff is not None and self._tiff.jumpToImage(index):
            image = self._tiff.read()
            if image.isNull():
                return image
            scaled = image.scaled(
                size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            return _on_white(scaled)
        return QImage()

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf.deleteLater()
        self._pdf = None
        self._tiff = None
        self._count = 0
        self.kind = ""
