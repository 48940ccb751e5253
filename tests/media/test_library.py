"""The library's ingest: what it accepts, what it refuses (and that nothing is left), tags,
duplicates, episodes against their slots, playlists."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from radio.config import Settings
from radio.db import Database
from radio.errors import MediaRejected, NotFound
from radio.media.library import MediaLibrary, Target
from radio.media.store import Episode, MediaItem
from tests.media.conftest import HOUR, LIVE, SHORT, SLOT_START, stored_files
from tests.media.make_fixtures import FORMATS
from tests.pg import sqlite_only

FORMAT_NAMES = {"mp3": "MP3", "vorbis": "Ogg Vorbis", "opus": "Opus", "flac": "FLAC",
                "wav": "WAV", "aiff": "AIFF", "m4a": "M4A", "aac": "AAC"}  # fmt: skip


@sqlite_only
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_imports_by_its_content_with_its_measurements(
    library: MediaLibrary, media_files: Path, tmp_path: Path, name: str
) -> None:
    # Named as something else: the content decides.
    disguised = tmp_path / "recording.dat"
    shutil.copy(media_files / f"programme-{name}.{FORMATS[name][1]}", disguised)
    item = library.ingest(disguised, "recording.dat").item
    assert item.format == FORMAT_NAMES[name]
    assert item.duration_s == pytest.approx(7.5, abs=0.03)
    assert item.loudness_lufs is not None and item.true_peak_dbtp is not None
    assert item.cue_in_s == pytest.approx(0.75, abs=0.03)
    assert item.cue_out_s == pytest.approx(6.0, abs=0.03)
    assert item.status == "ready"


BAD_INPUTS = [
    ("empty.mp3", None,
     "The file is empty (0 bytes); the recording or the upload did not finish, so send it "
     "again."),
    ("notes.mp3", None,
     "The file is a text document, not audio, whatever its name says; send the recording "
     "itself."),
    ("page.mp3", None,
     "The file is a web page (HTML), not audio, whatever its name says; download the "
     "recording itself, not the page that links to it."),
    ("picture.mp3", None,
     "The file is an image, not audio, whatever its name says; send the recording itself."),
    ("photo.wav", None,
     "The file is an image, not audio, whatever its name says; send the recording itself."),
    ("archive.mp3", None,
     "The file is an archive (ZIP, RAR, 7z, tar or gzip), not audio; unpack it and send the "
     "audio files inside."),
    ("undecodable.flac", None,
     "The file says it holds audio but none of it decodes; export it again from the "
     "recording program and upload the new file."),
    ("headeronly.wav", None,
     "The file has the header of a sound file but holds no audio; export the recording "
     "again."),
    ("short.mp3", None,
     "The file holds only 0.5 seconds of audio (at least 1 second is needed); check that "
     "the whole recording was exported."),
    ("video.mp3", None,
     "The file is a video without any sound; export the audio from your editing program and "
     "send that."),
    ("programme-mp3.mp3", "show/episode.mp3",
     "The file name contains a path separator (/ or \\); rename the file to a plain name and "
     "send it again."),
    ("programme-mp3.mp3", "..\\episode.mp3",
     "The file name contains a path separator (/ or \\); rename the file to a plain name and "
     "send it again."),
    ("programme-mp3.mp3", "episode..mp3",
     'The file name contains ".."; rename the file without two dots in a row.'),
    ("programme-mp3.mp3", "..",
     'The file name contains ".."; rename the file without two dots in a row.'),
    ("programme-mp3.mp3", "show\u2215episode.mp3",
     "The file name contains division slash (U+2215), which looks like a slash; rename the "
     "file to a plain name."),
    ("programme-mp3.mp3", "\u2025\uff0fetc.mp3",
     "The file name contains two dot leader (U+2025), which looks like dots; rename the file "
     "to a plain name."),
    ("programme-mp3.mp3", "episode\x07.mp3",
     "The file name contains a control character (U+0007); rename the file with plain "
     "letters, digits and punctuation."),
    ("programme-mp3.mp3", "episode\n.mp3",
     "The file name contains a control character (U+000A); rename the file with plain "
     "letters, digits and punctuation."),
    ("programme-mp3.mp3", "harmless\u202eplm.mp3",
     "The file name contains an invisible or direction-changing character (U+202E); rename "
     "the file with plain letters, digits and punctuation."),
    ("programme-mp3.mp3", "zero\u200bwidth.mp3",
     "The file name contains an invisible or direction-changing character (U+200B); rename "
     "the file with plain letters, digits and punctuation."),
    ("programme-mp3.mp3", "private\ue000.mp3",
     "The file name contains a private-use character (U+E000); rename the file with plain "
     "letters, digits and punctuation."),
]  # fmt: skip


def count_items(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(MediaItem)) or 0)


@sqlite_only
@pytest.mark.parametrize(("fixture", "name", "message"), BAD_INPUTS)
def test_bad_inputs_are_refused_with_their_sentence_and_nothing_is_stored(
    library: MediaLibrary, db: Database, settings: Settings, media_files: Path,
    fixture: str, name: str | None, message: str,
) -> None:  # fmt: skip
    with pytest.raises(MediaRejected) as refused:
        library.ingest(media_files / fixture, name, Target(occurrence_id=HOUR.id, playlist=None))
    assert str(refused.value) == message
    assert stored_files(settings) == []
    assert count_items(db) == 0
    with db.session() as session:
        assert session.scalars(select(Episode)).all() == []


def test_over_the_size_limit_is_refused_and_nothing_is_stored(
    db: Database, settings: Settings, media_files: Path
) -> None:
    small = dataclasses.replace(settings, max_upload_bytes=100_000)
    with pytest.raises(MediaRejected) as refused:
        MediaLibrary(small, db).ingest(media_files / "programme-mp3.mp3")
    assert str(refused.value) == (
        "The file is 118.4 KiB, over the station's limit of 97.7 KiB; export it at a lower "
        "bit rate (for example MP3 at 192 kbit/s) or split it."
    )
    assert stored_files(settings) == [] and count_items(db) == 0


def test_format_comes_from_the_content_and_the_name_is_only_metadata(
    library: MediaLibrary, settings: Settings, media_files: Path
) -> None:
    result = library.ingest(media_files / "mp3-named.wav", "Ep 1: the “pilot”.wav")
    item = result.item
    assert item.format == "MP3"
    assert item.original_filename == "Ep 1: the “pilot”.wav"
    assert item.path == f"{item.sha256[:2]}/{item.sha256}.mp3"
    assert (settings.media_dir / item.path).read_bytes() == (
        media_files / "mp3-named.wav"
    ).read_bytes()
    assert [p.name for p in stored_files(settings)] == [f"{item.sha256}.mp3"]


def test_the_same_audio_twice_says_so_and_reuses_the_item(
    library: MediaLibrary, db: Database, media_files: Path
) -> None:
    first = library.ingest(media_files / "programme-flac.flac")
    again = library.ingest(media_files / "programme-flac.flac", "copy.flac")
    assert again.duplicate and again.item.id == first.item.id
    assert again.notes[0] == (
        f"This audio is already in the library as #{first.item.id} (“programme-flac”); "
        "that item is used."
    )
    assert count_items(db) == 1


def test_tags_are_read_cleaned_and_editable(
    library: MediaLibrary, settings: Settings, media_files: Path
) -> None:
    item = library.ingest(media_files / "tagged.mp3").item
    assert item.title is not None and item.title.startswith("Morning Show x")
    assert len(item.title) == 200 and "\x07" not in item.title and "\n" not in item.title
    assert item.artist == "Ada Lovelace"  # the bidi override is gone
    assert item.album == "Community Hour"
    assert item.isrc == "GBAYE0601498"
    assert item.art_path is not None
    assert (settings.media_dir / item.art_path).read_bytes().startswith(b"\x89PNG")
    edited = library.edit(item.id, title="  Breakfast\r\nwith Ada ", isrc="")
    assert edited.title == "Breakfast with Ada" and edited.isrc is None
    with pytest.raises(MediaRejected, match="is not an ISRC"):
        library.edit(item.id, isrc="nonsense")


def test_the_waveform_is_stored_as_levels_and_no_picture_is_written(
    library: MediaLibrary, settings: Settings, media_files: Path
) -> None:
    item = library.ingest(media_files / "programme-opus.opus").item
    levels = library.peaks(item.id)
    assert len(levels) == 400 and all(0.0 <= v <= 1.0 for v in levels)
    # 1 s of silence, then the tone: its top is the measured peak on the -60..0 dB scale.
    assert max(levels[:40]) < 0.1
    assert item.true_peak_dbtp is not None
    assert max(levels) == pytest.approx((item.true_peak_dbtp + 60) / 60, abs=0.02)
    assert [p.suffix for p in stored_files(settings)] == [".opus"]


def test_a_silent_file_is_accepted_only_with_a_clear_warning(
    library: MediaLibrary, media_files: Path
) -> None:
    result = library.ingest(media_files / "silent.mp3")
    assert result.item.status == "silent"
    assert result.warnings == [
        "The file is silent throughout (nothing above -50 dBFS); it was kept, but it would "
        "air as dead air: check the recording."
    ]


def test_a_header_that_lies_about_the_length_is_told(
    library: MediaLibrary, media_files: Path
) -> None:
    result = library.ingest(media_files / "truncated.mp3")
    assert result.item.duration_s == pytest.approx(3.7, abs=0.2)
    assert "The file declares 8 s but holds 4 s of audio; the real length is used." in (
        result.warnings
    )


def test_an_episode_much_shorter_than_its_slot_is_accepted_with_a_warning(
    library: MediaLibrary, media_files: Path
) -> None:
    result = library.ingest(media_files / "programme-wav.wav", target=Target("show-a", HOUR.id))
    assert result.warnings == [
        "The episode runs only 0:05, much shorter than its 1:00:00 slot: the rotation would "
        "fill the other 59:55. If the recording was cut short, export it again and upload the "
        "whole of it."
    ]
    # A file without a title in its tags is named after the show and the date, not the file.
    assert result.item.title == "Show A, 24 November 2026"
    playable = library.episode_for(HOUR.id)
    assert playable is not None and playable.item_id == result.item.id
    assert playable.path.is_file() and playable.path.suffix == ".wav"
    assert (playable.cue_in_s, playable.cue_out_s) == (result.item.cue_in_s, result.item.cue_out_s)
    assert playable.gain_db == result.item.gain_db
    later = SLOT_START.replace(day=30)
    assert library.latest_episode("show-a", later) == playable
    # The same instant in another zone; and nothing before the slot started.
    assert library.latest_episode("show-a", later.astimezone(ZoneInfo("Asia/Tokyo"))) == playable
    assert library.latest_episode("show-a", SLOT_START) is None
    assert library.latest_episode("show-b", later) is None


def test_a_recording_of_a_live_slot_is_kept_for_listening_not_aired(
    library: MediaLibrary, media_files: Path
) -> None:
    result = library.ingest(media_files / "programme-flac.flac", target=Target("phone-in", LIVE.id))
    assert result.notes == [
        "This is a live show's slot: the recording is kept for on-demand listening and the "
        "podcast, and does not play on air."
    ]
    assert result.warnings == []


def test_a_small_overrun_is_a_note_not_a_warning(library: MediaLibrary, media_files: Path) -> None:
    # 5.25 s to air (cues 0.75 to 6.0) in a 3 s slot: within the 30 s grace.
    result = library.ingest(media_files / "programme-m4a.m4a", target=Target("show-a", SHORT.id))
    assert result.warnings == []
    assert result.notes == [
        "The episode runs 0:05, 0:02 past its 0:03 slot: its end is faded out at 10:00:03 "
        "GMT (Europe/London)."
    ]


def test_an_overrun_past_the_grace_is_a_warning_with_the_local_fade_time(
    library: MediaLibrary, media_files: Path, tmp_path: Path
) -> None:
    # Ten copies of the 7.5 s master are 75 s (aired from 0.75 to 73.5 s) in a 3 s slot.
    master = media_files / "master.wav"
    longer = tmp_path / "long.wav"
    subprocess.run(["sox", *[str(master)] * 10, str(longer)], check=True)
    result = library.ingest(longer, target=Target("show-a", SHORT.id))
    assert result.warnings == [
        "The episode runs 1:13, 1:10 longer than its 0:03 slot: it will be faded out at "
        "10:00:03 GMT (Wednesday 25 November, Europe/London), before its last 1:10."
    ]


def test_replacing_an_episode_keeps_the_old_one_until_the_new_one_is_analysed(
    library: MediaLibrary, db: Database, media_files: Path
) -> None:
    old = library.ingest(media_files / "programme-flac.flac", target=Target("show-a", HOUR.id))
    with pytest.raises(MediaRejected):
        library.ingest(media_files / "undecodable.flac", target=Target("show-a", HOUR.id))
    kept = library.episode_for(HOUR.id)
    assert kept is not None and kept.item_id == old.item.id
    new = library.ingest(media_files / "programme-vorbis.ogg", target=Target("show-a", HOUR.id))
    assert f"It replaces #{old.item.id} for this occurrence." in new.notes
    now = library.episode_for(HOUR.id)
    assert now is not None and now.item_id == new.item.id
    assert library.get(old.item.id).id == old.item.id  # still in the library


def test_unknown_occurrences_and_other_shows_are_refused_before_any_work(
    library: MediaLibrary, settings: Settings, media_files: Path
) -> None:
    with pytest.raises(NotFound, match="There is no occurrence 'nope' in the grid"):
        library.ingest(media_files / "programme-mp3.mp3", target=Target("show-a", "nope"))
    with pytest.raises(MediaRejected, match="belongs to the show 'show-a', not 'show-b'"):
        library.ingest(media_files / "programme-mp3.mp3", target=Target("show-b", HOUR.id))
    assert stored_files(settings) == []


def test_playlist_gets_the_relative_path_once(
    library: MediaLibrary, settings: Settings, media_files: Path
) -> None:
    first = library.ingest(media_files / "programme-aiff.aiff", target=Target(playlist="jingles"))
    again = library.ingest(media_files / "programme-aiff.aiff", target=Target(playlist="jingles"))
    text = (settings.playlists_dir / "jingles.m3u8").read_text()
    assert text == f"#EXTM3U\n{first.item.path}\n"
    assert [p.name for p in settings.playlists_dir.iterdir()] == ["jingles.m3u8"]
    assert first.notes == ["Added to the playlist jingles."]
    assert "It is already in the playlist jingles." in again.notes
    with pytest.raises(MediaRejected) as refused:
        library.ingest(media_files / "programme-aiff.aiff", target=Target(playlist="Rotation"))
    assert str(refused.value) == (
        "There is no playlist 'Rotation'; the station's playlists are jingles, rotation."
    )
    with pytest.raises(MediaRejected, match="may hold only letters"):
        library.ingest(media_files / "programme-aiff.aiff", target=Target(playlist="../etc"))


def test_a_missing_source_is_one_sentence(library: MediaLibrary, tmp_path: Path) -> None:
    with pytest.raises(MediaRejected, match=r"^The file gone.mp3 cannot be read \(No such"):
        library.ingest(tmp_path / "gone.mp3")


def test_list_and_get(library: MediaLibrary, media_files: Path, tmp_path: Path) -> None:
    shutil.copy(media_files / "speech.mp3", tmp_path / "Voice track.mp3")
    item = library.ingest(tmp_path / "Voice track.mp3").item
    assert [i.id for i in library.items()] == [item.id]
    assert library.get(item.id) == item
    with pytest.raises(NotFound):
        library.get(item.id + 1)
