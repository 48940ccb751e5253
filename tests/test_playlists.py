"""Rendering the station's playlists for Liquidsoap."""

from __future__ import annotations

from pathlib import Path

from radio import playlists


def test_render_keeps_inside_files_and_annotates_measured_ones(tmp_path: Path) -> None:
    media = tmp_path / "media"
    (media / "ab").mkdir(parents=True)
    for name in ("ab/song.ogg", "plain.ogg"):
        (media / name).write_bytes(b"x")
    source = tmp_path / "rotation.m3u8"
    source.write_text("#EXTM3U\n# a comment\nab/song.ogg\nplain.ogg\nmissing.ogg\n../escape.ogg\n")
    target = tmp_path / "out.m3u8"
    song = str((media / "ab/song.ogg").resolve())
    count = playlists.render(
        source, media, target, {song: {"liq_cue_in": "1.250", "liq_amplify": '-3.00 dB"'}}
    )
    assert count == 2
    assert target.read_text().splitlines() == [
        "#EXTM3U",
        f'annotate:liq_cue_in="1.250",liq_amplify="-3.00 dB\\"":{song}',
        str((media / "plain.ogg").resolve()),
    ]


def test_an_unreadable_playlist_renders_empty(tmp_path: Path) -> None:
    target = tmp_path / "out.m3u8"
    assert playlists.render(tmp_path / "nope.m3u8", tmp_path, target) == 0
    assert target.read_text() == "#EXTM3U\n"


def test_rewrite_keeps_every_comment_and_drops_a_removed_entrys_directives() -> None:
    text = (
        "#EXTM3U\n# The rotation (edit with care)\n#EXTINF:200,Kept\nkept.ogg\n\n"
        "# gone soon\n#EXTINF:100,Gone\ngone.ogg\nlast.ogg\n# the end\n"
    )
    assert playlists.rewrite(text, ["kept.ogg", "last.ogg", "new.ogg"]).splitlines() == [
        "#EXTM3U",
        "# The rotation (edit with care)",
        "#EXTINF:200,Kept",
        "kept.ogg",
        "",
        "# gone soon",
        "last.ogg",
        "# the end",
        "new.ogg",
    ]
    assert playlists.rewrite("", ["a.ogg"]) == "#EXTM3U\na.ogg\n"
