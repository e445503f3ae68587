"""Voicemails on the demo server (document sections "Voicemails" and "Voicemail").

- ``GET /voicemail/messages`` with ``from_date``, ``to_date``, ``page``, ``per_page``,
  ``sort``, ``extension_source``, ``extension_destination`` and the ``X-Pagination-*``
  headers; 400 for an invalid parameter.
- ``GET /voicemail/files/{file id}.wav``: the recording a Voicemail's ``voicemail_file.link``
  points at. The document gives only an example link on another host; the demo serves the
  files itself, behind the same authentication as the API.

The owner ("primary") sees every voicemail of the company, any other user only those left
on their own extension (for files too: someone else's recording is a 404).

What the document leaves open, as the demo reads it:
- dates are ISO 8601 dates or date-times (naive ones are UTC); a date-only ``to_date``
  includes that whole day; ``from_date`` after ``to_date`` is a 400;
- ``sort`` takes field names of the Voicemail object (see ``SORT_COLUMNS``), each
  optionally prefixed with ``-`` (descending) or ``+``, repeated or comma-separated;
  the default is ``-time_received`` (newest first).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.demo.database import DemoDatabase
from app.demo.errors import ApiError
from app.demo.identifiers import new_id
from app.demo.rest import acting_user, int_param, json_response, page_params, pagination_headers
from app.demo.timestamps import utc_now
from app.demo.voicemail_audio import voicemail_wav
from app.demo.voicemail_data import FILES_PATH, insert_voicemail, voicemail_json
from app.demo.wire import JsonDict

TRAFFIC_SHARE = 0.08
"""Chance that a traffic tick (every few seconds) also leaves a voicemail."""

SORT_COLUMNS = {
    "time_received": "received_ms",
    "_id": "id",
    "extension_source": "extension_source",
    "extension_destination": "extension_destination",
    "source_representation_name": "source_name COLLATE NOCASE",
    "voicemail_file.duration": "samples",
    "voicemail_file.size": "samples",
    "voicemail_file.name": "file_name",
}


def add_voicemail(db: DemoDatabase, rng: random.Random | None = None, base_url: str = "") -> JsonDict:
    """Someone leaves a voicemail now; returns its Voicemail JSON (link under ``base_url``)."""
    rng = rng or random.Random()
    with db.transaction() as conn:
        voicemail_id = insert_voicemail(conn, rng, utc_now(), (new_id(), new_id()))
    row = db.fetch_one("SELECT * FROM voicemails WHERE id = ?", (voicemail_id,))
    assert row is not None
    return voicemail_json(row, db.company_id, db.pbx_uuid, base_url)


class VoicemailTraffic:
    """Now and then a traffic tick leaves a voicemail. Its own random stream: the SMS and
    presence traffic stays what it was."""

    def __init__(self, db: DemoDatabase, seed: int) -> None:
        self.db = db
        self.rng = random.Random(f"ringdesk-demo:{seed}:voicemail-traffic")

    def tick(self) -> JsonDict | None:
        if self.rng.random() >= TRAFFIC_SHARE:
            return None
        return add_voicemail(self.db, self.rng)


def _date_param(request: Request, name: str, *, end_of_day: bool) -> int | None:
    """A date query parameter as epoch milliseconds (an inclusive bound)."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            if end_of_day:
                return int(datetime.combine(day + timedelta(days=1), time(), UTC).timestamp() * 1000) - 1
            moment = datetime.combine(day, time(), UTC)
        else:
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise ApiError(400, f"Invalid date for query parameter '{name}': {raw!r}") from None
    return int(moment.timestamp() * 1000)


def _order_by(request: Request) -> str:
    fields = [
        part.strip()
        for value in request.query_params.getlist("sort")
        for part in value.split(",")
        if part.strip()
    ] or ["-time_received"]
    terms = []
    for field in fields:
        name = field.lstrip("+-")
        column = SORT_COLUMNS.get(name)
        if column is None:
            raise ApiError(400, f"Cannot sort voicemails by {name!r}; use one of: {', '.join(SORT_COLUMNS)}")
        terms.append(f"{column} {'DESC' if field.startswith('-') else 'ASC'}")
    return ", ".join([*terms, "seq DESC"])


class VoicemailRoutes:
    def __init__(self, db: DemoDatabase) -> None:
        self.db = db

    def _visible(self, request: Request) -> tuple[str, list[Any]]:
        """SQL condition (and its parameters) for the voicemails the acting user may see."""
        user = acting_user(request)
        if self.db.is_owner(user):
            return "1", []
        return "extension_destination = (SELECT extension FROM contacts WHERE id = ?)", [user]

    async def list_messages(self, request: Request) -> Response:
        page, per_page = page_params(request, "per_page")
        where, params = self._visible(request)
        conditions = [where]
        for name in ("extension_source", "extension_destination"):
            if request.query_params.get(name, "").strip():
                conditions.append(f"{name} = ?")
                params.append(int_param(request, name, 0, minimum=0))
        start = _date_param(request, "from_date", end_of_day=False)
        end = _date_param(request, "to_date", end_of_day=True)
        if start is not None and end is not None and start > end:
            raise ApiError(400, "'from_date' is after 'to_date'.")
        if start is not None:
            conditions.append("received_ms >= ?")
            params.append(start)
        if end is not None:
            conditions.append("received_ms <= ?")
            params.append(end)
        order = _order_by(request)
        clause = " AND ".join(conditions)
        total = self.db.fetch_one(f"SELECT COUNT(*) AS n FROM voicemails WHERE {clause}", params)
        rows = self.db.fetch_all(
            f"SELECT * FROM voicemails WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, per_page, (page - 1) * per_page],
        )
        base_url = str(request.base_url).rstrip("/")
        body = [voicemail_json(row, self.db.company_id, self.db.pbx_uuid, base_url) for row in rows]
        count = 0 if total is None else int(total["n"])
        return json_response(body, headers=pagination_headers(count, page, per_page))

    async def get_file(self, request: Request) -> Response:
        file_id = request.path_params["file_id"]
        where, params = self._visible(request)
        row = self.db.fetch_one(
            f"SELECT file_name, voice, samples FROM voicemails WHERE file_id = ? AND {where}",
            [file_id, *params],
        )
        if row is None:
            raise ApiError(404, f"Voicemail file {file_id} does not exist.")
        audio = await run_in_threadpool(voicemail_wav, int(row["voice"]), int(row["samples"]))
        return Response(
            audio,
            media_type="audio/wav",
            headers={"Content-Disposition": f'attachment; filename="{row["file_name"]}"'},
        )

    def routes(self) -> list[Route]:
        return [
            Route("/voicemail/messages", self.list_messages, methods=["GET"]),
            Route(FILES_PATH + "/{file_id}.wav", self.get_file, methods=["GET"]),
        ]


def voicemail_routes(db: DemoDatabase) -> list[Route]:
    return VoicemailRoutes(db).routes()
