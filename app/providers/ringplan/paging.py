"""One page of a paged RingPlan list, with the ``X-Pagination-*`` response headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

TOTAL_COUNT = "X-Pagination-Total-Count"
PAGE_COUNT = "X-Pagination-Page-Count"
CURRENT_PAGE = "X-Pagination-Current-Page"
PER_PAGE = "X-Pagination-Per-Page"


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """Items of one page. The counts are None when the server did not send their header.

    ``raw_count`` is how many items the server sent, including any that were dropped as
    malformed; paging decisions use it rather than ``len(items)``.
    """

    items: list[T]
    total_count: int | None = None
    page_count: int | None = None
    current_page: int | None = None
    per_page: int | None = None
    raw_count: int = field(default=0, compare=False)

    @classmethod
    def from_headers(
        cls,
        items: list[T],
        headers: Mapping[str, str],
        *,
        raw_count: int | None = None,
        requested_page: int | None = None,
        requested_per_page: int | None = None,
    ) -> Page[T]:
        """Read the pagination headers; missing ones fall back to what was asked for."""
        current = _header_int(headers, CURRENT_PAGE)
        per_page = _header_int(headers, PER_PAGE)
        return cls(
            items=items,
            total_count=_header_int(headers, TOTAL_COUNT),
            page_count=_header_int(headers, PAGE_COUNT),
            current_page=current if current is not None else requested_page,
            per_page=per_page if per_page is not None else requested_per_page,
            raw_count=len(items) if raw_count is None else raw_count,
        )

    @property
    def has_next(self) -> bool:
        """Whether another page probably follows this one."""
        if self.page_count is not None and self.current_page is not None:
            return self.current_page < self.page_count
        if self.raw_count == 0:
            return False
        if self.per_page is not None:
            return self.raw_count >= self.per_page
        return False
