"""How each contact source is named to the user."""

from __future__ import annotations

SOURCE_LABELS = {
    "ringplan": "Company",
    "ringplan-location": "Office",
    "ringplan-texting": "Texting",
    "local": "Personal",
    "ringcentral": "RingCentral",
    "genesys": "CRM",
    "contactcenter": "Contact center",
}


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source.capitalize())
