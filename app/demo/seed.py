"""Deterministic, realistic demo data: the company, its users, customers and SMS history.

Everything but the message times is a function of ``(seed, contacts)``: message times are
laid out backwards from the moment of seeding so that the demo always looks recent.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.demo.identifiers import seeded_id
from app.demo.schema import CONTACT_DOCUMENTS_VIEW, INDEXES, SCHEMA_VERSION, TABLES
from app.demo.texts import CONVERSATION_SCRIPTS, INBOUND_TEXTS
from app.demo.timestamps import iso, utc_now
from app.demo.voicemail_data import seed_voicemails
from app.demo.wordlists import (
    COMPANY_DOMAIN,
    COMPANY_NAME,
    FEMALE_FIRST_NAMES,
    JOB_TITLES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    OFFICE_PLACES,
    OTHER_PLACES,
    STREET_NAMES,
    STREET_TYPES,
    Place,
)

MAX_CONTACTS = 100_000
COMPANY_CREATED = datetime(2021, 8, 18, 14, 20, 50, 837000, tzinfo=UTC)
TEXTING_CUSTOMERS = 48
SEEDED_CONVERSATIONS = 36
# The moment seeded message ids pretend to have been made at (message times are relative).
_ID_EPOCH = datetime(2024, 6, 1, tzinfo=UTC).timestamp()

# 555-0100..0199 are reserved for fiction: use them first, then the rest of the 555 block.
_LINES: tuple[int, ...] = (
    *range(100, 200),
    *(line for line in range(200, 10000) if line != 1212),
    *range(0, 100),
)


class NumberPool:
    """Hands out unique US numbers, cycling through the pool's area codes."""

    def __init__(self, places: tuple[Place, ...]) -> None:
        self._places = places
        self._next = 0

    def take(self) -> tuple[str, Place]:
        index = self._next
        self._next += 1
        place = self._places[index % len(self._places)]
        line = _LINES[index // len(self._places)]
        return f"+1{place.area_code}555{line:04d}", place


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    name: str


def email_local(first: str, last: str) -> str:
    return re.sub(r"[^a-z.]", "", f"{first}.{last}".lower())


def _region_of(place: Place) -> int:
    """Index of the location (0 west, 1 central, 2 east) that serves an office place."""
    if place.timezone in ("America/Los_Angeles", "America/Phoenix"):
        return 0
    if place.timezone in ("America/Chicago", "America/Denver"):
        return 1
    return 2


def _status_for(roll: float) -> str:
    if roll < 0.55:
        return "available"
    if roll < 0.70:
        return "offline"
    if roll < 0.80:
        return "away"
    if roll < 0.88:
        return "busy"
    if roll < 0.95:
        return "on_call"
    return "dnd"


def _contact_rows(
    rng: random.Random,
    count: int,
    locations: list[Location],
    offices: NumberPool,
    others: NumberPool,
) -> Iterator[tuple[Any, ...]]:
    """Rows for the ``contacts`` table (see ``schema``), in seq order."""
    seen_emails: dict[str, int] = {}
    local_parts: dict[tuple[str, str], str] = {}
    place_index = {place: i for i, place in enumerate(OFFICE_PLACES)}
    company_ms = int(COMPANY_CREATED.timestamp() * 1000)
    span_ms = 900 * 86400 * 1000
    day_ms = 86400 * 1000
    random_ = rng.random
    females, males, lasts = FEMALE_FIRST_NAMES, MALE_FIRST_NAMES, LAST_NAMES
    titles, streets, street_types = JOB_TITLES, STREET_NAMES, STREET_TYPES
    for index in range(count):
        female = random_() < 0.5
        names = females if female else males
        first = names[int(random_() * len(names))]
        last = lasts[int(random_() * len(lasts))]
        honorific = "Dr" if random_() < 0.04 else ("Ms" if female else "Mr")
        local = local_parts.get((first, last))
        if local is None:
            local = local_parts[(first, last)] = email_local(first, last)
        taken = seen_emails.get(local, 0)
        seen_emails[local] = taken + 1
        email = f"{local}{taken + 1 if taken else ''}@{COMPANY_DOMAIN}"
        work, place = offices.take()
        mobile = others.take()[0]
        home = others.take()[0] if random_() < 0.3 else ""
        created = company_ms + (int(random_() * span_ms) if index else 0)
        updated = created + 3_600_000 + int(random_() * 200 * day_ms)
        last_enter = updated + 60_000 + int(random_() * 30 * day_ms)
        yield (
            index + 1,
            seeded_id(rng, created / 1000),
            first,
            last,
            email,
            honorific,
            titles[int(random_() * len(titles))],
            work,
            mobile,
            home,
            seeded_id(rng, created / 1000 + 1),
            1001 + index,
            locations[_region_of(place)].id,
            place_index[place],
            10 + int(random_() * 9890),
            streets[int(random_() * len(streets))],
            street_types[int(random_() * len(street_types))],
            created,
            updated,
            last_enter,
            _status_for(random_()),
            "auto",
            seeded_id(rng, last_enter / 1000),
            last_enter,
            None,
        )


def _company_doc(company_id: str, contacts: int, main_number: str) -> dict[str, Any]:
    return {
        "id": company_id,
        "address": {
            "address2": "Suite 400",
            "city": "San Diego",
            "country": "United States",
            "number": "",
            "state": "CA",
            "street": {"name": "Harbor", "number": 1250, "type": "Drive"},
            "zip": "92101",
        },
        "affiliate": False,
        "billing_email": f"billing@{COMPANY_DOMAIN}",
        "created": iso(COMPANY_CREATED),
        "description": "Business phone systems, SIP trunking and contact-center services.",
        "email": f"contact@{COMPANY_DOMAIN}",
        "emergency_contact_number": main_number[1:],
        "employees": contacts,
        "fax": "1" + main_number[2:5] + "5550199",
        "name": COMPANY_NAME,
        "onboarding": True,
        "partner_id": None,
        "phone": main_number[1:],
        "revenue": None,
        "status": "active",
        "updated": iso(COMPANY_CREATED + timedelta(days=7, hours=12)),
        "website": f"https://www.{COMPANY_DOMAIN}",
    }


def _location_doc(
    location_id: str, name: str, place: Place, company_id: str, pbx_uuid: str, rng: random.Random
) -> dict[str, Any]:
    number = f"1{place.area_code}5550100"
    return {
        "id": location_id,
        "address2": "",
        "building": {"type": "Suite", "value": str(rng.randint(100, 900))},
        "callerid": number[1:],
        "city": place.city,
        "company_id": company_id,
        "country": "United States",
        "e911_provisioned": True,
        "email": f"{place.city.lower().replace(' ', '')}@{COMPANY_DOMAIN}",
        "fax": f"1{place.area_code}5550199",
        "latitude": None,
        "longitude": None,
        "name": name,
        "pbx_id": pbx_uuid,
        "phone": number,
        "state": place.state,
        "street": {
            "name": rng.choice(STREET_NAMES),
            "number": rng.randint(100, 9000),
            "type": rng.choice(STREET_TYPES),
        },
        "zip": place.zip,
    }


def _instance_doc(instance_id: str, pbx_uuid: str, company_id: str) -> dict[str, Any]:
    return {
        "_id": instance_id,
        "uuid": pbx_uuid,
        "accountcode": "SB-A00001001",
        "channel_driver": "chan_pjsip",
        "company_id": company_id,
        "company_name": COMPANY_NAME,
        "external_domain": f"pbx.{COMPANY_DOMAIN}",
        "fqdn": f"northwind.pbx.{COMPANY_DOMAIN}",
        "hostname": "northwind",
        "internal_domain": "northwind.local",
        "ip": "198.51.100.10",
        "proxy_ip": "203.0.113.10",
    }


def _seed_conversations(
    conn: sqlite3.Connection,
    rng: random.Random,
    customers: list[tuple[str, str, str, str]],
    texting_numbers: list[str],
    agent_first_name: str,
    now: datetime,
) -> None:
    conversations: list[tuple[Any, ...]] = []
    messages: list[tuple[Any, ...]] = []
    timezone = "America/Los_Angeles"
    for index in range(min(SEEDED_CONVERSATIONS, len(customers))):
        contact_id, first, _last, number = customers[index]
        from_number = texting_numbers[1] if index % 5 == 4 else texting_numbers[0]
        script = list(CONVERSATION_SCRIPTS[index % len(CONVERSATION_SCRIPTS)])
        if index >= len(CONVERSATION_SCRIPTS):
            script.append(("in", INBOUND_TEXTS[index % len(INBOUND_TEXTS)]))
        # Last activity from a few minutes to ~6 weeks ago, newest first by index.
        last_at = now - timedelta(minutes=3 + (index**2.4) * 2 + rng.random() * 5)
        times: list[datetime] = [last_at]
        for _ in range(len(script) - 1):
            gap = timedelta(minutes=rng.choice((1, 2, 3, 5, 8, 15, 30, 60, 180, 900)))
            times.append(times[-1] - gap - timedelta(seconds=rng.randint(0, 59)))
        times.reverse()
        # Ids carry a time like ObjectIds do, but a fixed one: ids must not depend on `now`.
        conversation_id = seeded_id(rng, _ID_EPOCH - (now - times[0]).total_seconds())
        unread_tail = index % 3 == 0
        ours = "+1" + from_number
        for position, ((direction, template), at) in enumerate(zip(script, times, strict=True)):
            inbound = direction == "in"
            trailing = all(d == "in" for d, _ in script[position:])
            is_read = not (inbound and unread_tail and trailing)
            text = template.format(first=first, agent=agent_first_name)
            messages.append(
                (
                    seeded_id(rng, _ID_EPOCH - (now - at).total_seconds()),
                    conversation_id,
                    "inbound" if inbound else "outbound",
                    number if inbound else ours,
                    ours if inbound else number,
                    text,
                    "[]",
                    int(is_read),
                    None if inbound else str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    timezone,
                    iso(at),
                )
            )
        conversations.append(
            (
                conversation_id,
                contact_id,
                from_number,
                timezone,
                iso(times[0]),
                iso(times[-1]),
                iso(times[-1]),
            )
        )
    conn.executemany(
        "INSERT INTO conversations (id, contact_id, from_number, timezone, created_at,"
        " updated_at, last_message_created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        conversations,
    )
    conn.executemany(
        'INSERT INTO messages (id, conversation_id, direction, frm, "to", text, files,'
        " is_read, stamp_id, timezone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        messages,
    )


def seed_database(conn: sqlite3.Connection, *, seed: int, contacts: int, api_key: str) -> None:
    """Create the schema in an empty database and fill it. One transaction."""
    if not 1 <= contacts <= MAX_CONTACTS:
        raise ValueError(f"contacts must be between 1 and {MAX_CONTACTS}, not {contacts}")
    now = utc_now()
    company_rng = random.Random(f"ringdesk-demo:{seed}:company")
    people_rng = random.Random(f"ringdesk-demo:{seed}:people")
    texting_rng = random.Random(f"ringdesk-demo:{seed}:texting")
    conn.execute("BEGIN")
    try:
        _fill(conn, seed, contacts, api_key, now, company_rng, people_rng, texting_rng)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


def _fill(
    conn: sqlite3.Connection,
    seed: int,
    contacts: int,
    api_key: str,
    now: datetime,
    company_rng: random.Random,
    people_rng: random.Random,
    texting_rng: random.Random,
) -> None:
    offices = NumberPool(OFFICE_PLACES)
    others = NumberPool(OTHER_PLACES)
    company_ts = COMPANY_CREATED.timestamp()
    company_id = seeded_id(company_rng, company_ts)
    instance_id = seeded_id(company_rng, company_ts + 60)
    pbx_uuid = str(uuid.UUID(int=company_rng.getrandbits(128), version=5))
    texting_numbers = [offices.take()[0][2:] for _ in range(3)]
    locations = [
        Location(seeded_id(company_rng, company_ts + 120 + i), name)
        for i, name in enumerate(("San Diego HQ", "Austin Office", "New York Office"))
    ]
    location_places = (OFFICE_PLACES[0], OFFICE_PLACES[7], OFFICE_PLACES[11])

    # Customers who text the company: drawn first, so they do not depend on `contacts`.
    customers: list[tuple[str, str, str, str]] = []
    for _ in range(TEXTING_CUSTOMERS):
        female = texting_rng.random() < 0.5
        first = texting_rng.choice(FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES)
        last = texting_rng.choice(LAST_NAMES)
        number = others.take()[0]
        customer_ts = company_ts + texting_rng.random() * 600 * 86400
        customers.append((seeded_id(texting_rng, customer_ts), first, last, number))

    for statement in _statements(TABLES):
        conn.execute(statement)
    conn.execute(CONTACT_DOCUMENTS_VIEW)
    conn.executemany(
        "INSERT INTO places (idx, city, state, zip, timezone) VALUES (?, ?, ?, ?, ?)",
        [(i, p.city, p.state, p.zip, p.timezone) for i, p in enumerate(OFFICE_PLACES)],
    )
    conn.executemany(
        "INSERT INTO contacts VALUES (" + ", ".join("?" * 25) + ")",
        _contact_rows(people_rng, contacts, locations, offices, others),
    )
    acting = conn.execute("SELECT id, first_name, email FROM contacts ORDER BY seq LIMIT 1").fetchone()
    owners = [row[0] for row in conn.execute("SELECT email FROM contacts ORDER BY seq LIMIT 3")]
    conn.executemany(
        "INSERT INTO texting_numbers (id, number, ownership) VALUES (?, ?, ?)",
        [
            (
                seeded_id(company_rng, company_ts + 300 + i),
                number,
                json.dumps(owners if i == 0 else owners[:1]),
            )
            for i, number in enumerate(texting_numbers)
        ],
    )
    conn.executemany(
        "INSERT INTO texting_contacts (id, first_name, last_name, number) VALUES (?, ?, ?, ?)",
        customers,
    )
    _seed_conversations(conn, texting_rng, customers, texting_numbers, acting[1], now)
    seed_voicemails(conn, seed, now)
    conn.executemany(
        "INSERT INTO locations (id, doc) VALUES (?, ?)",
        [
            (
                loc.id,
                json.dumps(_location_doc(loc.id, loc.name, place, company_id, pbx_uuid, company_rng)),
            )
            for loc, place in zip(locations, location_places, strict=True)
        ],
    )
    conn.execute(
        "INSERT INTO instances (uuid, doc) VALUES (?, ?)",
        (pbx_uuid, json.dumps(_instance_doc(instance_id, pbx_uuid, company_id))),
    )
    for statement in _statements(INDEXES):
        conn.execute(statement)
    meta = {
        "schema_version": SCHEMA_VERSION,
        "seed": str(seed),
        "contacts": str(contacts),
        "api_key": api_key,
        "company_id": company_id,
        "company": json.dumps(_company_doc(company_id, contacts, "+" + "1" + texting_numbers[0])),
        "pbx_uuid": pbx_uuid,
        "acting_user_id": acting[0],
        "acting_user_email": acting[2],
        "next_extension": str(1001 + contacts),
        "seeded_at": iso(now),
    }
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", list(meta.items()))
