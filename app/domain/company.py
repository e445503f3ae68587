"""The company an account belongs to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Company:
    id: str
    name: str
    email: str = ""
    phone: str = ""
