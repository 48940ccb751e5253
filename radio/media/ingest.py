"""One ingest for the web and the CLI: check, analyse and store a file in the library.

Ingest works on a staging file in ``<data>/tmp`` and touches ``<data>/media`` and the
database only once everything about the file is known and good: a refused file leaves
nothing behind. Files are stored by content hash (``media/ab/abcdef….mp3``); the client's
file name is metadata.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from radio.config import Settings
from radio.errors import MediaRejected
from radio.media import names, remux, tags, waveform
from radio.media.analysis import analyse
from radio.media.episodes import Occurrence, default_title
from radio.media.files import check_disk, check_size, temporary_dir, write_atomic
from radio.media.library import MediaLibrary, Progress
from radio.media.probe import probe
from radio.media.records import IngestResult, MediaRecord, Target, label, record_of
from radio.media.store import MediaItem

log = logging.getLogger(__name__)

MIN_DURATION_S = 1.0
_COPY_BLOCK = 1 << 20


def ingest(
    library: MediaLibrary,
    source: Path,
    original_filename: str | None = None,
    target: Target | None = None,
    *,
    staged: bool = False,
    progress: Progress | None = None,
) -> IngestResult:
    """Check, analyse and store ``source`` in ``library``; :class:`MediaRejected` says why
    not (see :meth:`MediaLibrary.ingest`).

    ``progress`` hears how far the analysis got: the seconds measured, and the length the
    file declares (None when it declares none, as a browser's recording does).
    """
    target = target or Target()
    name = names.clean_filename(source.name if original_filename is None else original_filename)
    occurrence = library.check_target(target)
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise MediaRejected(f"The file {name} cannot be read ({exc.strerror}).") from None
    check_size(size, library.settings.max_upload_bytes)
    with _staging(library.settings, source, staged) as (staging, digest):
        existing = library.by_hash(digest)
        if existing is not None:
            reused = (
                f"This audio is already in the library as #{existing.id} "
                f"({label(existing)}); that item is used."
            )
            notes: list[str] = [reused]
            warnings = [*existing.warnings, *library.attach(existing, target, occurrence, notes)]
            return IngestResult(existing, True, warnings, notes)
        record, warnings = _analyse_and_store(
            library, staging, name, digest, size, occurrence, progress
        )
    notes = []
    warnings += library.attach(record, target, occurrence, notes)
    log.info("ingested %s as #%d (%s)", name, record.id, record.path)
    return IngestResult(record, False, warnings, notes)


def _analyse_and_store(
    library: MediaLibrary,
    staging: Path,
    name: str,
    digest: str,
    size: int,
    occurrence: Occurrence | None,
    progress: Progress | None,
) -> tuple[MediaRecord, list[str]]:
    s = library.settings
    found = probe(staging)
    if remux.needs_remux(found):  # a browser's recording: stored as Ogg, packets unchanged
        remuxed = staging.with_name(staging.name + ".ogg")
        remux.remux_to_ogg(staging, remuxed)
        os.replace(remuxed, staging)
        found = probe(staging)
    declared = found.declared_duration_s
    heard = None if progress is None else (lambda done_s: progress(done_s, declared))
    measured = analyse(staging, sample_rate=found.sample_rate, channels=found.channels,
                       silence_threshold_db=s.silence_threshold_db, progress=heard)  # fmt: skip
    if measured.duration_s == 0:
        if measured.decode_errors or (found.declared_duration_s or 0) > 0:
            raise MediaRejected(
                "The file says it holds audio but none of it decodes; export it again "
                "from the recording program and upload the new file."
            )
        raise MediaRejected(
            "The file has the header of a sound file but holds no audio; "
            "export the recording again."
        )
    if measured.duration_s < MIN_DURATION_S:
        raise MediaRejected(
            f"The file holds only {measured.duration_s:.1f} seconds of audio (at least "
            f"{MIN_DURATION_S:.0f} second is needed); check that the whole recording was "
            "exported."
        )
    warnings = []
    if measured.silent:
        warnings.append(
            f"The file is silent throughout (nothing above {s.silence_threshold_db:g} dBFS); "
            "it was kept, but it would air as dead air: check the recording."
        )
    if measured.decode_errors:
        warnings.append(
            "Parts of the file are damaged and were skipped while decoding; "
            "listen to it before it airs."
        )
    if found.has_video:
        warnings.append("The file also holds video; only its sound will air.")
    if found.declared_duration_s and abs(found.declared_duration_s - measured.duration_s) > 2:
        warnings.append(
            f"The file declares {found.declared_duration_s:.0f} s but holds "
            f"{measured.duration_s:.0f} s of audio; the real length is used."
        )
    found_tags = tags.read_tags(staging)
    rel = f"{digest[:2]}/{digest}.{found.extension}"
    media = library.settings.media_dir
    final = media / rel
    art = final.with_suffix(f".art.{found_tags.art_extension}") if found_tags.art else None
    item = MediaItem(
        sha256=digest, path=rel, original_filename=name, format=found.format,
        size_bytes=size, title=found_tags.title or _untitled(name, occurrence, s),
        artist=found_tags.artist, album=found_tags.album, isrc=found_tags.isrc,
        art_path=str(art.relative_to(media)) if art else None,
        waveform_path="", peaks=waveform.peaks(measured.envelope),
        duration_s=measured.duration_s,
        loudness_lufs=measured.loudness_lufs, true_peak_dbtp=measured.true_peak_dbtp,
        gain_db=measured.gain_to(s.loudness_target_lufs, s.true_peak_max_dbtp),
        cue_in_s=measured.cue_in_s, cue_out_s=measured.cue_out_s,
        status="silent" if measured.silent else "ready", warnings=warnings,
        created_at=library.clock(),
    )  # fmt: skip
    placed: list[Path] = []
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        if art is not None and found_tags.art is not None:
            write_atomic(art, found_tags.art)
            placed.append(art)
        os.replace(staging, final)
        placed.append(final)
        with library.db.write() as session:
            session.add(item)
            session.flush()
            record = record_of(item)
    except IntegrityError:
        # The same audio arrived twice at once: the other ingest stored these very bytes.
        existing = library.by_hash(digest)
        if existing is None:
            raise
        return existing, ["This audio was stored by another upload at the same moment."]
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        raise
    return record, warnings


@contextlib.contextmanager
def _staging(settings: Settings, source: Path, staged: bool) -> Iterator[tuple[Path, str]]:
    """A private copy in the temporary folder (hashed while copied), removed at the end."""
    tmp = temporary_dir(settings)
    if staged:
        staging = source
    else:
        check_disk(tmp, source.stat().st_size)
        staging = tmp / f"ingest-{secrets.token_hex(8)}.part"
    try:
        try:
            digest = _copy_hashing(source, None if staged else staging)
        except OSError as exc:
            raise MediaRejected(f"The file could not be read or copied ({exc.strerror}).") from exc
        yield staging, digest
    finally:
        staging.unlink(missing_ok=True)


def _copy_hashing(source: Path, copy: Path | None) -> str:
    """The SHA-256 of ``source``, copying it to ``copy`` (a new file) in the same read."""
    digest = hashlib.sha256()
    with source.open("rb") as src, copy.open("xb") if copy else contextlib.nullcontext() as dst:
        for block in iter(lambda: src.read(_COPY_BLOCK), b""):
            digest.update(block)
            if dst is not None:
                dst.write(block)
    return digest.hexdigest()


def _untitled(name: str, occurrence: Occurrence | None, settings: Settings) -> str | None:
    """The title of a file whose tags give none: an episode is named after its show and
    date ("Show A, 24 November 2026"), anything else after its file name."""
    if occurrence is not None:
        return default_title(occurrence, settings.tz)
    return tags.clean_text(Path(name).stem.replace("_", " "))
