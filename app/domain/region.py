"""The user's home region, for parsing and formatting phone numbers."""

from __future__ import annotations

DEFAULT_REGION = "US"
