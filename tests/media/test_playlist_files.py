"""Playlist files written by several writers at once: uploads' ingests and volunteers' edits."""

from __future__ import annotations

import threading
from pathlib import Path

from radio.media.files import add_to_playlist, edit_playlist


def test_writers_at_the_same_moment_lose_nothing(tmp_path: Path) -> None:
    folder, locks = tmp_path / "playlists", tmp_path / "tmp"
    locks.mkdir()
    folder.mkdir()
    (folder / "rotation.m3u8").write_text("#EXTM3U\n# The rotation\nmusic/old.ogg\n")
    writers = 8
    together = threading.Barrier(writers + 1)

    def upload(number: int) -> None:
        together.wait()
        for take in range(10):
            add_to_playlist(folder, "rotation", f"music/{number}-{take}.ogg", locks)

    def volunteer_unticks_the_old_file() -> None:
        together.wait()
        edit_playlist(folder, "rotation", lambda now: [e for e in now if e != "music/old.ogg"],
                      locks)  # fmt: skip

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(writers)]
    threads.append(threading.Thread(target=volunteer_unticks_the_old_file))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    text = (folder / "rotation.m3u8").read_text()
    entries = [line for line in text.splitlines() if not line.startswith("#")]
    assert sorted(entries) == sorted(
        f"music/{n}-{t}.ogg" for n in range(writers) for t in range(10)
    )
    assert text.startswith("#EXTM3U\n# The rotation\n")
    assert [p.name for p in folder.iterdir()] == ["rotation.m3u8"]  # no file left half-written


def test_adding_an_entry_already_there_says_so(tmp_path: Path) -> None:
    assert add_to_playlist(tmp_path / "p", "jingles", "jingles/a.ogg", tmp_path)
    assert not add_to_playlist(tmp_path / "p", "jingles", "jingles/a.ogg", tmp_path)
    assert (tmp_path / "p" / "jingles.m3u8").read_text().count("jingles/a.ogg") == 1
