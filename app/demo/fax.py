"""The fax endpoints of the RingPlan document ("Fax - Destinations", "Fax - Messages",
"Fax - Numbers"), and the file upload the document refers to but does not describe.

Extensions (README, "Fax extensions"): ``POST /files`` (multipart, field ``file``, optional
``name`` and ``description``) answers the File object; ``GET /files/{id}`` the File
object; ``GET /files/{id}/content`` the file's bytes.
"""

from __future__ import annotations

import logging

from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from app.demo.errors import ApiError
from app.demo.fax_database import (
    BOXES,
    FaxDatabase,
    FaxInputError,
    FaxStateError,
    query_from_params,
)
from app.demo.rest import json_object, json_response, page_params, pagination_headers

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
# The multipart envelope around a file: boundaries, part headers, the optional fields.
MAX_ENVELOPE_BYTES = 64 * 1024
UPLOAD_CHUNK = 1024 * 1024


def _box(request: Request) -> str:
    box = str(request.path_params["box"])
    if box not in BOXES:
        raise ApiError(404, f"There is no fax message box {box!r}.")
    return box


def _missing(fax_id: str) -> ApiError:
    return ApiError(404, f"Fax message {fax_id} does not exist.")


class FaxApi:
    def __init__(self, faxes: FaxDatabase) -> None:
        self.faxes = faxes

    async def list_messages(self, request: Request) -> Response:
        box = _box(request)
        page, per_page = page_params(request, "per_page")
        try:
            query = query_from_params(
                request.query_params, request.query_params.getlist("sort"), inbound=box == "inbound"
            )
            items, total = self.faxes.list_messages(box, query, limit=per_page, offset=(page - 1) * per_page)
        except FaxInputError as exc:
            raise ApiError(400, str(exc)) from None
        return json_response(items, headers=pagination_headers(total, page, per_page))

    async def patch_inbound(self, request: Request) -> Response:
        fax_id = request.path_params["fax_id"]
        body = await json_object(request)
        try:
            updated = self.faxes.update_inbound(fax_id, body)
        except FaxInputError as exc:
            raise ApiError(400, str(exc)) from None
        if updated is None:
            raise _missing(fax_id)
        return json_response(updated)

    async def delete_message(self, request: Request) -> Response:
        box = _box(request)
        fax_id = request.path_params["fax_id"]
        if not self.faxes.delete(box, fax_id):
            raise _missing(fax_id)
        return Response(status_code=204)

    async def create_message(self, request: Request) -> Response:
        box = _box(request)
        if box == "inbound":
            raise ApiError(405, "Inbound faxes cannot be created.")
        body = await json_object(request)
        try:
            created = self.faxes.create(box, body)
        except FaxInputError as exc:
            raise ApiError(400, str(exc)) from None
        return json_response(created, status=201)

    async def put_message(self, request: Request) -> Response:
        box = _box(request)
        fax_id = request.path_params["fax_id"]
        body = await json_object(request)
        try:
            if box == "outbound":
                updated = self.faxes.update_outbound(fax_id, body)
            elif box == "scheduled":
                updated = self.faxes.update_scheduled(fax_id, body)
            else:
                raise ApiError(405, "Inbound faxes are updated with PATCH.")
        except FaxInputError as exc:
            raise ApiError(400, str(exc)) from None
        except FaxStateError as exc:
            raise ApiError(406, str(exc)) from None
        if updated is None:
            raise _missing(fax_id)
        return json_response(updated)

    async def retry(self, request: Request) -> Response:
        fax_id = request.path_params["fax_id"]
        try:
            resent = self.faxes.retry(fax_id)
        except FaxStateError as exc:
            raise ApiError(406, str(exc)) from None
        if resent is None:
            raise _missing(fax_id)
        return json_response(resent, status=202)

    async def statistics(self, request: Request) -> Response:
        return json_response(self.faxes.statistics())

    async def numbers(self, request: Request) -> Response:
        return json_response(list(self.faxes.numbers))

    async def create_destination(self, request: Request) -> Response:
        body = await json_object(request)
        try:
            emails = self.faxes.validate_emails(body.get("emails"))
        except FaxInputError as exc:
            raise ApiError(400, str(exc)) from None
        if not emails:
            raise ApiError(400, "'emails' (the addresses faxes are delivered to) is required.")
        destination, created = self.faxes.create_destination(emails)
        return json_response(destination, status=201 if created else 200)

    # -- files (extension) ---------------------------------------------------------------

    async def upload_file(self, request: Request) -> Response:
        declared = request.headers.get("content-length")
        if (
            declared is not None
            and declared.isdigit()
            and int(declared) > MAX_FILE_BYTES + MAX_ENVELOPE_BYTES
        ):
            raise ApiError(413, f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise ApiError(400, "Upload a file as multipart/form-data with a 'file' field.")
        try:
            return await self._store_upload(request)
        except ClientDisconnect:
            log.info("upload abandoned by the client")
            return Response(status_code=400)

    async def _store_upload(self, request: Request) -> Response:
        async with request.form(max_files=1, max_fields=4) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise ApiError(400, "The multipart body needs a 'file' field holding the file.")
            content = bytearray()
            while chunk := await upload.read(UPLOAD_CHUNK):
                content += chunk
                if len(content) > MAX_FILE_BYTES:
                    raise ApiError(413, f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
            if not content:
                raise ApiError(400, "The file is empty.")
            name = form.get("name")
            description = form.get("description")
            info = self.faxes.add_file(
                bytes(content),
                filename=upload.filename or "upload",
                mimetype=upload.content_type or "",
                name=name if isinstance(name, str) else "",
                description=description if isinstance(description, str) else "",
            )
        return json_response(info, status=201)

    async def get_file(self, request: Request) -> Response:
        file_id = request.path_params["file_id"]
        info = self.faxes.file_info(file_id)
        if info is None:
            raise ApiError(404, f"File {file_id} does not exist.")
        return json_response(info)

    async def file_content(self, request: Request) -> Response:
        file_id = request.path_params["file_id"]
        info = self.faxes.file_info(file_id)
        content = self.faxes.file_content(file_id)
        if info is None or content is None:
            raise ApiError(404, f"File {file_id} does not exist.")
        filename = str(info["uploaded_name"]).replace('"', "")
        return Response(
            content,
            media_type=str(info["mimetype"]),
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def routes(self) -> list[Route]:
        one = "/fax/messages/{box}/{fax_id}"
        return [
            Route("/fax/destinations", self.create_destination, methods=["POST"]),
            Route("/fax/statistics", self.statistics, methods=["GET"]),
            Route("/fax/numbers", self.numbers, methods=["GET"]),
            Route("/fax/messages/{box}", self.list_messages, methods=["GET"]),
            Route("/fax/messages/{box}", self.create_message, methods=["POST"]),
            Route("/fax/messages/inbound/{fax_id}", self.patch_inbound, methods=["PATCH"]),
            Route(one, self.delete_message, methods=["DELETE"]),
            Route(one, self.put_message, methods=["PUT"]),
            Route("/fax/messages/outbound/{fax_id}/retry", self.retry, methods=["POST"]),
            Route("/files", self.upload_file, methods=["POST"]),
            Route("/files/{file_id}", self.get_file, methods=["GET"]),
            Route("/files/{file_id}/content", self.file_content, methods=["GET"]),
        ]


def fax_routes(faxes: FaxDatabase) -> list[Route]:
    return FaxApi(faxes).routes()
