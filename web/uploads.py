"""Resumable uploads over HTTP, tus-like (``Tus-Resumable: 1.0.0`` core and creation).

* ``POST /api/uploads`` with ``Upload-Length`` (and ``Upload-Metadata``: ``filename``,
  ``occurrence_id``, ``show``, ``playlist``, base64 as in tus; or the same as a JSON body)
  opens an upload. Too large is refused at once (413, the limit in ``limit``).
* ``HEAD``/``GET /api/uploads/<id>`` tell the offset reached (``Upload-Offset``) and state.
* ``PATCH`` (or ``PUT``) with ``Upload-Offset`` appends a chunk; the chunk that completes the
  upload also analyses it and answers with the result (or a problem saying why not).
* ``POST /api/uploads/<id>/finish`` analyses a complete upload (answers again if repeated);
  ``DELETE`` cancels.

Errors are RFC 9457 problem details. The work is all in :mod:`radio.media.uploads`.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re

from flask import Blueprint, Response, json, request, url_for
from werkzeug.exceptions import ClientDisconnected

from radio.accounts.model import Account
from radio.errors import MediaRejected, NotFound, RadioError
from radio.jsontypes import JSON
from radio.media.files import human_size
from radio.media.library import Target
from radio.media.uploads import (
    UploadConflict,
    UploadQuota,
    Uploads,
    UploadState,
    UploadStopped,
)
from web import services
from web.auth import current_account
from web.errors import problem

log = logging.getLogger(__name__)

bp = Blueprint("uploads", __name__, url_prefix="/api/uploads")

TUS = {"Tus-Resumable": "1.0.0"}
#: An Upload-Length: ASCII digits only (``int()`` would also take "-5", "1_000" and "١٢").
_WHOLE = re.compile(r"[0-9]{1,19}")


def uploads() -> Uploads:
    """The station's upload service."""
    return services().uploads


@bp.route("", methods=["OPTIONS"])
def options() -> Response:
    limit = services().settings.max_upload_bytes
    return _empty(204, {"Tus-Version": "1.0.0", "Tus-Extension": "creation,termination",
                        "Tus-Max-Size": str(limit)})  # fmt: skip


@bp.post("")
def create() -> Response:
    account = current_account()
    if account is None:
        return _problem(401, "Log in to upload.")
    fields = _creation_fields()
    if isinstance(fields, str):
        return _problem(400, fields)
    limit = services().settings.max_upload_bytes
    raw = fields.get("size")
    text = "" if raw is None else str(raw).strip()
    if not text:
        return _problem(400, "Say how large the file is (Upload-Length, in bytes).")
    if isinstance(raw, bool) or not _WHOLE.fullmatch(text):
        shown = text if len(text) <= 40 else text[:40] + "…"
        return _problem(
            400,
            f"Upload-Length must be the file's size in bytes, a whole number such as "
            f"52428800, not {shown!r}.",
        )
    size = int(text)
    if size > limit:
        return _problem(
            413,
            f"The file is {human_size(size)}, over the station's limit of {human_size(limit)}; "
            "export it at a lower bit rate (for example MP3 at 192 kbit/s) or split it.",
            limit=limit,
        )
    target = Target(
        show=_text(fields.get("show")),
        occurrence_id=_text(fields.get("occurrence_id") or fields.get("occurrence")),
        playlist=_text(fields.get("playlist")),
    )
    try:
        slot = uploads().library.slot_of(target)
        refusal = upload_refusal(account, target, slot.show if slot is not None else None)
        if refusal:
            return _problem(403, refusal)
        if slot is not None:  # the grid says whose slot it is
            target = Target(target.show or slot.show, target.occurrence_id, target.playlist)
        state = uploads().create(str(fields.get("filename") or ""), size, target, str(account.id))
    except RadioError as exc:
        return _radio_problem(exc)
    location = url_for("uploads.upload", upload_id=state.id)
    return _json(201, state, {"Location": location, "Upload-Offset": "0"})


@bp.route("/<upload_id>", methods=["HEAD"])
def offset(upload_id: str) -> Response:
    state = _mine(upload_id)
    if isinstance(state, Response):
        return Response(status=state.status_code, headers=TUS)
    return _empty(200, _offset_headers(state))


@bp.get("/<upload_id>")
def upload(upload_id: str) -> Response:
    state = _mine(upload_id)
    if isinstance(state, Response):
        return state
    return _json(200, state, _offset_headers(state))


@bp.route("/<upload_id>", methods=["PATCH", "PUT"])
def append(upload_id: str) -> Response:
    state = _mine(upload_id)
    if isinstance(state, Response):
        return state
    raw = request.headers.get("Upload-Offset", request.args.get("offset", ""))
    try:
        at = int(raw)
    except ValueError:
        return _problem(400, "Say where this chunk starts (Upload-Offset, in bytes).")
    length = request.content_length
    try:
        reached = uploads().write(upload_id, at, request.stream, length)
    except ClientDisconnected:
        log.info("upload %s: the client went away; the bytes received are kept", upload_id)
        return _problem(400, "The connection dropped; resume from the offset reached.")
    except RadioError as exc:
        return _radio_problem(exc)
    log.debug("upload %s: chunk from %d to %d", upload_id, at, reached)
    headers = {"Upload-Offset": str(reached), **TUS}
    if reached < state.size:
        return _empty(204, headers)
    return _finish(upload_id, headers)


@bp.post("/<upload_id>/finish")
def finish(upload_id: str) -> Response:
    state = _mine(upload_id)
    if isinstance(state, Response):
        return state
    return _finish(upload_id, {})


@bp.delete("/<upload_id>")
def cancel(upload_id: str) -> Response:
    state = _mine(upload_id)
    if isinstance(state, Response):
        return state
    try:
        uploads().cancel(upload_id)
    except RadioError as exc:
        return _radio_problem(exc)
    return _empty(204, {})


def _finish(upload_id: str, headers: dict[str, str]) -> Response:
    try:
        state = uploads().finish(upload_id)
    except RadioError as exc:
        return _radio_problem(exc)
    if state.status == "rejected":
        return _problem(422, state.note or "The file cannot go on air.")
    status = 200 if request.method == "POST" else 204
    if status == 204:
        return _empty(204, headers)
    return _json(200, state, headers)


def _mine(upload_id: str) -> UploadState | Response:
    account = current_account()
    if account is None:
        return _problem(401, "Log in to upload.")
    try:
        state = uploads().state(upload_id)
    except RadioError as exc:
        return _radio_problem(exc)
    if state.owner is not None and state.owner != str(account.id) and not account.is_admin:
        return _problem(404, "There is no such upload.")
    return state


def upload_refusal(account: Account, target: Target, slot_show: str | None) -> str | None:
    """Why ``account`` may not open an upload for ``target``, or None if it may.

    Decided on the whole target at once: a playlist (whatever else the request names) is
    for volunteers and admins only; a presenter uploads only to a slot of a show of theirs,
    ``slot_show`` being the show the grid gives the occurrence (None if the grid has no such
    occurrence: the target check then says so). The ``show`` the request names is never
    trusted for this.
    """
    if account.edits_grid:
        return None
    if target.playlist is not None:
        return (
            "Only the station's volunteers and admins can add files to a playlist; "
            "upload your episode to one of your show's slots."
        )
    if target.occurrence_id is None:
        return "Choose one of your show's slots to upload an episode to."
    if slot_show is not None and not account.presents(slot_show):
        return "You can upload episodes only to your own shows' slots."
    return None


def _creation_fields() -> dict[str, object] | str:
    """The fields of a creation request, or the sentence saying which one is unreadable."""
    if request.is_json:
        body = request.get_json(silent=True)
        return dict(body) if isinstance(body, dict) else {}
    fields: dict[str, object] = {"size": request.headers.get("Upload-Length", "")}
    for pair in request.headers.get("Upload-Metadata", "").split(","):
        key, _, value = pair.strip().partition(" ")
        if not key:
            continue
        try:
            fields[key] = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            shown = key[:40]
            return f"The upload's {shown!r} (in Upload-Metadata) is not base64-encoded UTF-8 text."
    return fields


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def _offset_headers(state: UploadState) -> dict[str, str]:
    return {"Upload-Offset": str(state.offset), "Upload-Length": str(state.size),
            "Cache-Control": "no-store", **TUS}  # fmt: skip


def _radio_problem(exc: RadioError) -> Response:
    if isinstance(exc, UploadConflict):
        extra: dict[str, JSON] = {} if exc.offset is None else {"offset": exc.offset}
        answer = _problem(409, str(exc), **extra)
        if exc.offset is not None:
            answer.headers["Upload-Offset"] = str(exc.offset)
        return answer
    if isinstance(exc, UploadQuota):
        return _problem(429, str(exc))
    if isinstance(exc, UploadStopped):
        stopped = _problem(507, str(exc), offset=exc.offset)
        stopped.headers["Upload-Offset"] = str(exc.offset)
        return stopped
    if isinstance(exc, NotFound):
        return _problem(404, str(exc))
    if isinstance(exc, MediaRejected):
        return _problem(422, str(exc))
    return _problem(400, str(exc))


_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           409: "Conflict", 413: "Content Too Large", 422: "Unprocessable Content",
           429: "Too Many Requests", 507: "Insufficient Storage"}  # fmt: skip


def _problem(status: int, detail: str, **extra: JSON) -> Response:
    answer = problem(status, _TITLES.get(status, "Error"), detail, **extra)
    answer.headers.update(TUS)
    return answer


def _json(status: int, state: UploadState, headers: dict[str, str]) -> Response:
    body = json.dumps({**state.to_json(), "limit": services().settings.max_upload_bytes})
    return Response(body, status=status, mimetype="application/json",
                    headers={**TUS, **headers})  # fmt: skip


def _empty(status: int, headers: dict[str, str]) -> Response:
    return Response(status=status, headers={**TUS, **headers})
