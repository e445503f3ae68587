"""Wire JSON shapes of the RingPlan objects (document section "Objects"), built from rows."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from app.demo.timestamps import iso

JsonDict = dict[str, Any]


def national_digits(number: str) -> str | None:
    """US number in any common spelling -> 10 digits ("9513360234"); None if not one."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01":
        return None
    return digits


def e164(number: str) -> str | None:
    digits = national_digits(number)
    return None if digits is None else "+1" + digits


def iso_ms(epoch_ms: int) -> str:
    return iso(datetime.fromtimestamp(epoch_ms / 1000, UTC))


def message_json(row: sqlite3.Row) -> JsonDict:
    return {
        "id": row["id"],
        "campaign_info": None,
        "conversation_id": row["conversation_id"],
        "conversation_type": "direct",
        "created_at": row["created_at"],
        "direction": row["direction"],
        "files": json.loads(row["files"]),
        "frm": row["frm"],
        "is_read": bool(row["is_read"]),
        "is_visible": True,
        "source_conversation_type": "direct",
        "stamp_id": row["stamp_id"],
        "success": True,
        "text": row["text"],
        "timezone": row["timezone"],
        "to": row["to"],
    }


def texting_contact_json(row: sqlite3.Row, company_id: str) -> JsonDict:
    return {
        "id": row["id"],
        "company_id": company_id,
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "number": row["number"],
    }


def conversation_json(
    row: sqlite3.Row,
    contact: JsonDict,
    last_message: JsonDict | None,
    unread: int,
    company_id: str,
) -> JsonDict:
    return {
        "id": row["id"],
        "company_id": company_id,
        "contact_id": row["contact_id"],
        "contactinfo": contact,
        "contactsinfo": [contact],
        "conversation_type": "direct",
        "countunreadmessages": unread,
        "from_number": row["from_number"],
        "has_direct_msg": True,
        "has_hidden_msg": False,
        "last_message_created_at": row["last_message_created_at"],
        "lastmessage": last_message,
        "recipients": [row["contact_id"]],
        "timezone": row["timezone"],
        "unread_msg_count": unread,
        "updated_at": row["updated_at"],
    }


def texting_number_json(row: sqlite3.Row, company_id: str, numformat: str | None) -> JsonDict:
    number: str = row["number"]
    if numformat == "international":
        number = "+1" + number
    return {
        "id": row["id"],
        "company_id": company_id,
        "number": number,
        "ownership": json.loads(row["ownership"]),
    }


def user_status_json(row: sqlite3.Row, company_id: str) -> JsonDict:
    """The ``user_status_updated`` payload for one company user."""
    return {
        "company_id": company_id,
        "user_id": row["id"],
        "user_email": row["email"],
        "status": {"status": row["status"], "action_type": row["status_action"]},
        "id": row["status_id"],
        "created_at": iso_ms(row["status_at"]),
        "updated_at": iso_ms(row["status_at"]),
        "deleted_at": None,
    }


_CALL_STATUS = {"on_call": "in_call", "busy": "in_call"}


def extension_json(row: sqlite3.Row, pbx_uuid: str) -> JsonDict:
    """An Extension object for a company user's extension (a subset of the documented fields,
    plus ``subscriber.status``: the user's presence status string). ``row`` is a ``contacts``
    row with the user's Contact JSON as ``user_json``."""
    user: JsonDict = json.loads(row["user_json"])
    number: int = row["extension"]
    name = f"{row['first_name']} {row['last_name']}".strip()
    work_digits = national_digits(row["work"]) or ""
    caller_name = f"Northwind {name}"[:30]
    status: str = row["status"]
    return {
        "_id": row["extension_id"],
        "data": {
            "id": number,
            "callerid": f"{name} <{number}>",
            "context": "from-internal",
            "description": f"{name} {number}",
            "devicetype": "fixed",
            "dial": f"PJSIP/{number}",
            "extension": number,
            "mailbox": f"{number}@device",
            "name": name,
            "outboundcid": f'"{caller_name}" <{work_digits}>' if work_digits else "",
            "sipdriver": "chan_pjsip",
            "tech": "pjsip",
            "user": str(number),
            "voicemail": "default",
            "voicemail_email": row["email"],
            "voicemail_enable": "yes",
        },
        "location_id": row["location_id"],
        "outbound_callerid": {
            "name": caller_name,
            "number": work_digits,
            "value": f'"{caller_name}" <{work_digits}>' if work_digits else "",
        },
        "pbx": pbx_uuid,
        "phone": [],
        "purpose": "softphone",
        "subscriber": {
            "call_status": _CALL_STATUS.get(status, "idle"),
            "extension_id": row["extension_id"],
            "state": "UNAVAILABLE" if status == "offline" else "REGISTERED",
            "status": status,
        },
        "user": user,
    }
