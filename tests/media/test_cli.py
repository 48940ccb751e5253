"""``radio media …`` as a person runs it: real processes, one sentence per refusal."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from radio.bootstrap import open_database
from radio.config import Settings
from radio.grid import tomlfile
from radio.grid.service import GridService
from radio.media.library import MediaLibrary
from tests.web.people import GRID


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "var").mkdir()
    return {
        **os.environ,
        "RADIO_DATA_DIR": str(tmp_path / "var"),
        "RADIO_PLAYLISTS_DIR": str(tmp_path / "playlists"),
        "RADIO_LOG_LEVEL": "WARNING",
    }


def radio(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "radio", *args], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_import_several_with_progress_then_list_json_and_show(
    env: dict[str, str], media_files: Path, tmp_path: Path
) -> None:
    files = [media_files / n for n in ("programme-mp3.mp3", "page.mp3", "tagged.mp3")]
    done = radio(env, "media", "import", *map(str, files), "--playlist", "rotation")
    assert done.returncode == 1  # one of the three was refused
    assert "[" in done.stderr and "3/3" in done.stderr  # the progress bar
    assert (
        "radio: page.mp3: The file is a web page (HTML), not audio, whatever its name says; "
        "download the recording itself, not the page that links to it." in done.stderr
    )
    assert "radio: 1 of 3 files were refused." in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.count("Added to the playlist rotation.") == 2
    listed = radio(env, "media", "list", "--json")
    assert listed.returncode == 0
    items = json.loads(listed.stdout)
    assert [i["original_filename"] for i in items] == ["programme-mp3.mp3", "tagged.mp3"]
    for item in items:
        for key in ("id", "original_filename", "title", "artist", "duration_s", "loudness_lufs",
                    "true_peak_dbtp", "gain_db", "cue_in_s", "cue_out_s", "status"):  # fmt: skip
            assert key in item
        assert item["status"] == "ready" and item["duration_s"] == pytest.approx(7.5, abs=0.03)
    shown = radio(env, "media", "show", str(items[1]["id"]))
    assert (
        "Artist:      Ada Lovelace" in shown.stdout and "ISRC:        GBAYE0601498" in shown.stdout
    )
    playlist = (tmp_path / "playlists" / "rotation.m3u8").read_text().splitlines()
    assert playlist == ["#EXTM3U", items[0]["path"], items[1]["path"]]


def test_a_single_refusal_is_one_sentence_and_exit_1(
    env: dict[str, str], media_files: Path
) -> None:
    done = radio(env, "media", "import", str(media_files / "empty.mp3"))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "radio: empty.mp3: The file is empty (0 bytes); the recording or the upload did not "
        "finish, so send it again."
    )
    missing = radio(env, "media", "show", "42")
    assert missing.returncode == 1
    assert (
        missing.stderr.strip()
        == "radio: There is no media item #42; `radio media list` shows them."
    )


def test_the_same_file_twice_says_so(env: dict[str, str], media_files: Path) -> None:
    path = str(media_files / "programme-opus.opus")
    assert radio(env, "media", "import", path).returncode == 0
    again = radio(env, "media", "import", path)
    assert again.returncode == 0
    assert "This audio is already in the library as #1 (“programme-opus”); that item is used." in (
        again.stdout
    )


def test_import_an_episode_to_an_occurrence_of_the_real_grid(
    env: dict[str, str], media_files: Path, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "var", playlists_dir=tmp_path / "playlists")
    db = open_database(settings)
    grid = GridService(db, settings.tz)
    text = io.StringIO()
    tomlfile.dump(GRID, text)
    grid.import_grid(io.StringIO(text.getvalue()), "<test grid>")
    occurrence = "show-a.s1.2026-11-24"
    done = radio(env, "media", "import", str(media_files / "programme-flac.flac"),
                 "--show", "show-a", "--occurrence", occurrence)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (
        "The episode runs only 0:05, much shorter than its 1:00:00 slot: the rotation would "
        "fill the other 59:55." in done.stdout
    )
    episode = MediaLibrary(settings, db).episode_for(occurrence)
    assert episode is not None and episode.path.suffix == ".flac"
    shown = radio(env, "media", "show", str(episode.item_id))
    assert f"Episode:     {occurrence} (show-a, Tue 24 Nov 2026 10:00 GMT)" in shown.stdout
    as_json = json.loads(radio(env, "media", "show", str(episode.item_id), "--json").stdout)
    assert as_json["episodes"] == [
        {"occurrence_id": occurrence, "show": "show-a", "start": "2026-11-24T10:00:00+00:00"}
    ]
    wrong = radio(env, "media", "import", str(media_files / "programme-flac.flac"),
                  "--show", "show-b", "--occurrence", occurrence)  # fmt: skip
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == (
        f"radio: programme-flac.flac: The occurrence '{occurrence}' belongs to the show "
        "'show-a', not 'show-b'."
    )
    both = radio(env, "media", "import", "x.mp3", "--occurrence", occurrence, "--playlist", "a")
    assert both.stderr.strip() == (
        "radio: Use either --playlist or --show with --occurrence, not both."
    )
    db.dispose()
