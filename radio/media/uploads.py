"""Resumable uploads (offset-based, like tus): the bytes go straight to a file in
``<data>/tmp/uploads``, a small row keeps the session, and a finished upload goes through
the library's ingest. Nothing here knows about HTTP; ``web.uploads`` is the endpoint.

Memory stays flat whatever the size: a chunk is copied from the request stream to the file
64 KiB at a time, and a dropped connection keeps every byte that reached the application.
(waitress spools each request body to disk before calling the application, so behind it a
chunk cut short never arrives at all: the client asks for the offset and sends it again.)
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from radio.config import Settings
from radio.db import Database
from radio.errors import MediaRejected, NotFound, RadioError
from radio.jsontypes import JSON
from radio.media import names
from radio.media.files import check_disk, check_size, human_size, temporary_dir
from radio.media.library import MediaLibrary, Target
from radio.media.store import UploadSession

log = logging.getLogger(__name__)

#: Temporary files of other kinds (an import cut short) are swept after this.
STALE_AFTER = timedelta(hours=1)
BLOCK = 64 * 1024


class UploadConflict(RadioError):
    """The request does not fit the upload's state (wrong offset, busy, not complete)."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


class UploadStopped(RadioError):
    """The station could not store the bytes (its disk is full or failing); those that
    reached the disk are kept, up to ``offset``."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class UploadQuota(RadioError):
    """The person already has as many uploads in progress (or bytes reserved) as allowed."""


class UploadGone(NotFound):
    """The upload expired or was cancelled."""


@dataclass(frozen=True)
class UploadState:
    id: str
    filename: str
    size: int
    offset: int
    #: ``receiving``, ``analysing``, ``done`` or ``rejected``.
    status: str
    expires_at: datetime
    show: str | None
    occurrence_id: str | None
    playlist: str | None
    owner: str | None
    media_id: int | None
    note: str
    result: dict[str, JSON] | None
    #: While analysing: the seconds of audio checked so far and the length the file
    #: declares (None if it declares none); None before the analysis starts.
    checked: tuple[float, float | None] | None = None

    def to_json(self) -> dict[str, JSON]:
        checked: JSON = None
        if self.checked is not None:
            checked = {"seconds": round(self.checked[0], 1), "of": self.checked[1]}
        return {
            "id": self.id, "filename": self.filename, "size": self.size, "offset": self.offset,
            "status": self.status, "expires_at": self.expires_at.isoformat(),
            "show": self.show, "occurrence_id": self.occurrence_id, "playlist": self.playlist,
            "media_id": self.media_id, "message": self.note or None, "result": self.result,
            "checked": checked,
        }  # fmt: skip


class Uploads:
    """Upload sessions over the library."""

    def __init__(
        self, library: MediaLibrary, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.library = library
        self.settings = library.settings
        self.db: Database = library.db
        self.clock = clock
        #: How far each analysis in this process got (the site is one process; a page
        #: asking another process sees no figure, only "analysing").
        self._checked: dict[str, tuple[float, float | None]] = {}

    def create(
        self, filename: str, size: int, target: Target | None = None, owner: str | None = None
    ) -> UploadState:
        """Open an upload, refusing before any byte arrives what could never be accepted.

        ``owner`` (who opens it) may have at most ``upload_sessions_per_person`` uploads in
        progress, declaring ``upload_reserved_bytes_per_person`` bytes in all; abandoned
        ones are removed first (:func:`expire_uploads`).
        """
        target = target or Target()
        name = names.clean_filename(filename)
        if size < 0:
            raise MediaRejected(f"The file's size must be 0 bytes or more, not {size}.")
        check_size(size, self.settings.max_upload_bytes)
        folder = upload_dir(self.settings)
        check_disk(folder, size)
        self.library.check_target(target)
        now = self.clock()
        expire_uploads(self.settings, self.db, now=now)
        row = UploadSession(
            id=secrets.token_urlsafe(18), filename=name, size_bytes=size, show=target.show,
            occurrence_id=target.occurrence_id, playlist=target.playlist, owner=owner,
            status="receiving", media_id=None, result=None, note="", created_at=now,
            expires_at=now + self._ttl,
        )  # fmt: skip
        with self.db.write() as session:
            if owner is not None:
                self._check_quota(session, owner, size, now)
            session.add(row)
            session.flush()
            self._part(row.id).touch()
            return self._state(row)

    def _check_quota(self, session: Session, owner: str, size: int, now: datetime) -> None:
        s = self.settings
        open_sizes = list(
            session.scalars(
                select(UploadSession.size_bytes).where(
                    UploadSession.owner == owner,
                    UploadSession.status.in_(("receiving", "analysing")),
                    UploadSession.expires_at > now,
                )
            )
        )
        most = s.upload_sessions_per_person
        if len(open_sizes) >= most:
            raise UploadQuota(
                f"You already have {len(open_sizes)} uploads in progress, the most one person "
                f"may have at once; finish or cancel one (an upload that receives nothing for "
                f"{s.upload_expire_after_h:g} hours is removed), then start this one."
            )
        reserved = sum(open_sizes)
        allowed = s.upload_reserved_bytes_per_person
        if reserved + size > allowed:
            raise UploadQuota(
                f"Your uploads in progress already declare {human_size(reserved)}, and this "
                f"{human_size(size)} file would take you past the {human_size(allowed)} one "
                "person may upload at once; finish or cancel one of them, then start this one."
            )

    @property
    def _ttl(self) -> timedelta:
        return timedelta(hours=self.settings.upload_expire_after_h)

    def state(self, upload_id: str) -> UploadState:
        with self.db.session() as session:
            return self._state(self._row(session, upload_id))

    def write(self, upload_id: str, offset: int, stream: IO[bytes], length: int | None) -> int:
        """Append ``length`` bytes (or all of ``stream``) at ``offset``; return the new offset.

        If reading ``stream`` fails (the client went away), the bytes already received are
        kept and the error is raised again.
        """
        state = self.state(upload_id)
        if state.status != "receiving":
            raise UploadConflict(f"This upload is {state.status}; it takes no more bytes.")
        if length is not None and offset + length > state.size:
            raise MediaRejected(
                f"The chunk would take the upload past its declared size of {state.size} bytes."
            )
        with self._locked(upload_id) as fp:
            current = fp.seek(0, 2)
            if offset != current:
                raise UploadConflict(
                    f"The upload has {current} bytes; send from offset {current}, not {offset}.",
                    offset=current,
                )
            left = state.size - current if length is None else length
            try:
                while left > 0:
                    block = stream.read(min(BLOCK, left))
                    if not block:
                        break
                    try:
                        _write_all(fp, block)
                    except OSError as exc:
                        raise _stopped(upload_id, fp, exc) from None
                    left -= len(block)
                if length is None and stream.read(1):
                    raise MediaRejected(
                        f"More bytes arrived than the {state.size} the upload declared."
                    )
            finally:
                reached = os.fstat(fp.fileno()).st_size
                self._touch(upload_id)  # never in place of the error that stopped the upload
        return reached

    def finish(self, upload_id: str, wait_s: float = 600.0) -> UploadState:
        """Ingest a complete upload (once: a repeated call gets the same answer).

        The process that analyses it holds ``<id>.analysing`` locked from before it marks the
        upload "analysing" until the result is stored: a station starting meanwhile
        (:func:`sweep_temporary`) leaves that upload to it, and a call that cannot take the
        lock waits for the result."""
        claim = _claim(self._part(upload_id).with_suffix(ANALYSING))
        try:
            with self.db.write() as session:
                row = self._row(session, upload_id)
                status = row.status
                if status == "receiving" and claim is not None:
                    have = self._part(upload_id).stat().st_size
                    if have != row.size_bytes:
                        raise UploadConflict(
                            f"Only {have} of {row.size_bytes} bytes have arrived; send the "
                            "rest before finishing.",
                            offset=have,
                        )
                    row.status = "analysing"
            if status == "analysing" or (status == "receiving" and claim is None):
                return self._wait(upload_id, wait_s)  # another request analyses it
            if status != "receiving":
                return self.state(upload_id)
            return self._ingest(upload_id)
        finally:
            if claim is not None:
                _release(claim)

    def cancel(self, upload_id: str) -> None:
        with self.db.write() as session:
            row = self._row(session, upload_id)
            if row.status == "analysing":
                raise UploadConflict(
                    "This upload is being analysed and can no longer be cancelled."
                )
            session.delete(row)
        self._part(upload_id).unlink(missing_ok=True)

    def pending_for(self, occurrence_id: str) -> UploadState | None:
        """The newest unfinished or refused upload for an occurrence (for status pages)."""
        with self.db.session() as session:
            row = session.scalars(
                select(UploadSession)
                .where(UploadSession.occurrence_id == occurrence_id)
                .order_by(UploadSession.created_at.desc())
            ).first()
            return self._state(row) if row is not None else None

    def _ingest(self, upload_id: str) -> UploadState:
        with self.db.session() as session:
            row = self._row(session, upload_id)
            target = Target(row.show, row.occurrence_id, row.playlist)
            filename = row.filename

        def heard(seconds: float, declared: float | None) -> None:
            self._checked[upload_id] = (seconds, declared)

        try:
            result = self.library.ingest(
                self._part(upload_id), filename, target, staged=True, progress=heard
            )
        except RadioError as exc:
            self._settle(upload_id, "rejected", note=str(exc))
            raise
        except BaseException:
            self._settle(upload_id, "rejected", note="The file could not be analysed.")
            raise
        finally:
            self._checked.pop(upload_id, None)
        self._settle(upload_id, "done", result.item.id, result.to_json())
        return self.state(upload_id)

    def _settle(
        self, upload_id: str, status: str, media_id: int | None = None,
        result: dict[str, JSON] | None = None, note: str = "",
    ) -> None:  # fmt: skip
        self._part(upload_id).unlink(missing_ok=True)
        with self.db.write() as session:
            row = self._row(session, upload_id, live_only=False)
            row.status, row.media_id, row.result, row.note = status, media_id, result, note

    def _wait(self, upload_id: str, wait_s: float) -> UploadState:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            state = self.state(upload_id)
            if state.status != "analysing":
                return state
            time.sleep(0.2)
        return self.state(upload_id)

    @contextlib.contextmanager
    def _locked(self, upload_id: str) -> Iterator[IO[bytes]]:
        path = self._part(upload_id)
        try:
            fp = path.open("r+b", buffering=0)  # unbuffered: what is written is on disk
        except FileNotFoundError:
            raise UploadGone(
                "This upload is gone (expired or cancelled); start it again."
            ) from None
        with fp:
            try:
                fcntl.flock(fp, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UploadConflict(
                    "Another request is still sending to this upload; wait for it, then "
                    "resume from the offset it reached."
                ) from None
            yield fp

    def _touch(self, upload_id: str) -> None:
        """Push the upload's expiry back (it is receiving bytes); a failure is only logged:
        the bytes are on disk, and the worst outcome is an earlier expiry."""
        try:
            with self.db.write() as session:
                row = session.get(UploadSession, upload_id)
                if row is not None:
                    row.expires_at = self.clock() + self._ttl
        except (OperationalError, OSError) as exc:
            log.warning("upload %s: its expiry could not be pushed back: %s", upload_id, exc)

    def _row(self, session: Session, upload_id: str, live_only: bool = True) -> UploadSession:
        row = session.get(UploadSession, upload_id)
        if row is None or (live_only and row.expires_at <= self.clock()):
            raise UploadGone("This upload is gone (expired or cancelled); start it again.")
        assert isinstance(row, UploadSession)
        return row

    def _state(self, row: UploadSession) -> UploadState:
        part = self._part(row.id)
        offset = part.stat().st_size if part.exists() else row.size_bytes
        return UploadState(
            id=row.id, filename=row.filename, size=row.size_bytes, offset=offset,
            status=row.status, expires_at=row.expires_at, show=row.show,
            occurrence_id=row.occurrence_id, playlist=row.playlist, owner=row.owner,
            media_id=row.media_id,
            note=row.note, result=row.result,
            checked=self._checked.get(row.id) if row.status == "analysing" else None,
        )  # fmt: skip

    def _part(self, upload_id: str) -> Path:
        if not upload_id.replace("-", "").replace("_", "").isalnum():
            raise UploadGone("There is no such upload.")
        return upload_dir(self.settings) / f"{upload_id}.part"


def _stopped(upload_id: str, fp: IO[bytes], exc: OSError) -> UploadStopped:
    reached = os.fstat(fp.fileno()).st_size
    log.error("upload %s: cannot write at %d bytes: %s", upload_id, reached, exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return UploadStopped(
            f"The station's disk is full, so the upload stopped at {reached} bytes; nothing "
            "received is lost: resume the upload once the station's admin has freed some "
            "space.",
            reached,
        )
    return UploadStopped(
        f"The station's disk could not store the upload ({exc.strerror or 'a disk error'}), "
        f"so it stopped at {reached} bytes; nothing received is lost: tell the station's "
        "admin, then resume the upload.",
        reached,
    )


def _write_all(fp: IO[bytes], data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = fp.write(view)
        if not written:
            raise OSError(errno.ENOSPC, "nothing written")
        view = view[written:]


#: Suffix of the lock file the process analysing an upload holds (:meth:`Uploads.finish`).
ANALYSING = ".analysing"


def upload_dir(settings: Settings) -> Path:
    path = temporary_dir(settings) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def expire_uploads(settings: Settings, db: Database, *, now: datetime | None = None) -> int:
    """Remove uploads that received nothing for ``upload_expire_after_h`` hours, with their
    bytes; return how many. Run at every upload's creation and on a periodic tick.

    An upload being analysed is left alone (the analysis settles it); a file some request is
    writing right now (it holds the lock) is kept until the next sweep.
    """
    now = now or datetime.now(UTC)
    with db.write() as session:
        expired = list(
            session.scalars(
                select(UploadSession).where(
                    UploadSession.expires_at <= now, UploadSession.status != "analysing"
                )
            )
        )
        for row in expired:
            session.delete(row)
        ids = [row.id for row in expired]
    folder = upload_dir(settings)
    for upload_id in ids:
        _remove_unlocked(folder / f"{upload_id}.part")
    if ids:
        log.info("removed %d upload(s) that received nothing for %g hours", len(ids),
                 settings.upload_expire_after_h)  # fmt: skip
    return len(ids)


def sweep_temporary(settings: Settings, db: Database, *, now: datetime | None = None) -> int:
    """Remove what interrupted uploads and imports left behind; return how many files.

    Run at start (``radio run``). Resumable uploads still within their expiry are kept, and
    so is any file another process is writing right now (it holds a lock on it).
    """
    now = now or datetime.now(UTC)
    removed = 0
    live: set[str] = set()
    uploads = upload_dir(settings)
    # Listed before the sessions are read: an upload another web process starts meanwhile
    # has its row in by the time they are, or its file is not on the list.
    parts = [*uploads.glob("*.part"), *uploads.glob(f"*{ANALYSING}")]
    with contextlib.suppress(OperationalError), db.write() as session:  # no table yet
        for row in session.scalars(select(UploadSession)).all():
            if row.expires_at <= now:
                session.delete(row)
                continue
            live.add(row.id)
            if row.status == "analysing" and not _held(uploads / f"{row.id}{ANALYSING}"):
                row.status = "receiving"  # the analysis was cut short: finish again
    for path in parts:
        if path.stem not in live and _remove_unlocked(path):
            removed += 1
    stale = now - STALE_AFTER
    tmp = temporary_dir(settings)
    candidates = [
        *tmp.glob("ingest-*.part"),
        *settings.media_dir.glob("*/.*.tmp"),
        *settings.playlists_dir.glob(".*.m3u8.*.tmp"),
    ]
    for path in candidates:
        with contextlib.suppress(OSError):
            modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            if modified < stale and _remove_unlocked(path):
                removed += 1
    if removed:
        log.info("swept %d temporary file(s) left by interrupted uploads or imports", removed)
    return removed


def _claim(path: Path) -> IO[bytes] | None:
    """``path`` opened and locked by this process, or None if another process holds it."""
    fp = path.open("ab")
    try:
        fcntl.flock(fp, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fp.close()
        return None
    return fp


def _release(claim: IO[bytes]) -> None:
    """Remove a claimed lock file, then let go of it."""
    with claim:
        Path(claim.name).unlink(missing_ok=True)


def _held(path: Path) -> bool:
    """Whether another process holds the lock file ``path`` (it analyses that upload)."""
    try:
        with path.open("rb") as fp:
            fcntl.flock(fp, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return False
    except BlockingIOError:
        return True
    except FileNotFoundError:
        return False


def _remove_unlocked(path: Path) -> bool:
    try:
        with path.open("rb") as fp:
            fcntl.flock(fp, fcntl.LOCK_EX | fcntl.LOCK_NB)
            path.unlink()
            return True
    except (BlockingIOError, FileNotFoundError):
        return False
