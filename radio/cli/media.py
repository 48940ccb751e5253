"""``radio media …``: import, list, show and edit the station's media library."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from radio.cli import station_services
from radio.config import Settings
from radio.errors import MediaRejected, RadioError

if TYPE_CHECKING:
    from radio.media.records import IngestResult, MediaRecord

#: The fields ``radio media list --json`` promises (a contract other tools rely on).
LIST_FIELDS = ("id", "original_filename", "title", "artist", "duration_s", "loudness_lufs",
               "true_peak_dbtp", "gain_db", "cue_in_s", "cue_out_s", "status")  # fmt: skip


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("media", help="the media library")
    actions = parser.add_subparsers(dest="media_command", metavar="ACTION", required=True)

    load = actions.add_parser(
        "import", help="analyse and store audio files (an episode, or into a playlist)"
    )
    load.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    load.add_argument("--show", metavar="SLUG", help="the show the episode belongs to")
    load.add_argument("--occurrence", metavar="ID", help="attach as this occurrence's episode")
    load.add_argument("--playlist", metavar="NAME", help="add to playlists/NAME.m3u8")
    load.set_defaults(handler=_import)

    listing = actions.add_parser("list", help="every item with its analysis")
    listing.add_argument("--json", action="store_true", help="print JSON (for scripts)")
    listing.set_defaults(handler=_list)

    show = actions.add_parser("show", help="one item in full")
    show.add_argument("id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=_show)

    edit = actions.add_parser("edit", help="change an item's tags")
    edit.add_argument("id", type=int, metavar="ID")
    for tag in ("title", "artist", "album", "isrc"):
        edit.add_argument(f"--{tag}", metavar="TEXT")
    edit.set_defaults(handler=_edit)


def _import(args: argparse.Namespace, settings: Settings) -> int:
    if args.playlist and (args.show or args.occurrence):
        raise MediaRejected("Use either --playlist or --show with --occurrence, not both.")
    from radio.media.records import Target

    target = Target(args.show, args.occurrence, args.playlist)
    with station_services(settings) as services:
        lib = services.library
        paths: list[Path] = args.paths
        if len(paths) == 1:
            try:
                result = lib.ingest(paths[0], target=target)
            except MediaRejected as exc:
                print(f"radio: {paths[0].name}: {exc}", file=sys.stderr)
                return 1
            _report(result, sys.stdout)
            return 0
        failed = 0
        bar = _Progress(len(paths), sys.stderr)
        for n, path in enumerate(paths):
            bar.show(n, path.name)
            try:
                result = lib.ingest(path, target=target)
            except RadioError as exc:
                failed += 1
                bar.clear()
                print(f"radio: {path.name}: {exc}", file=sys.stderr)
                continue
            bar.clear()
            _report(result, sys.stdout)
        bar.show(len(paths), "done")
        bar.finish()
        if failed:
            print(f"radio: {failed} of {len(paths)} files were refused.", file=sys.stderr)
        return 1 if failed else 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    with station_services(settings) as services:
        items = services.library.items()
    if args.json:
        json.dump([item.to_json() for item in items], sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    if not items:
        print("The library is empty; add files with `radio media import PATH`.")
    for item in items:
        print(_line(item))
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    with station_services(settings) as services:
        item = services.library.get(args.id)
        episodes = services.library.episodes_of(item.id)
    if args.json:
        body = item.to_json() | {
            "episodes": [
                {"occurrence_id": o, "show": s, "start": t.isoformat()} for o, s, t in episodes
            ]
        }
        json.dump(body, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    _details(item, settings, sys.stdout)
    for occurrence, show, start in episodes:
        local = start.astimezone(settings.tz)
        print(f"{'Episode:':12s} {occurrence} ({show}, {local:%a %d %b %Y %H:%M %Z})")
    return 0


def _edit(args: argparse.Namespace, settings: Settings) -> int:
    changes = {tag: getattr(args, tag) for tag in ("title", "artist", "album", "isrc")}
    if all(v is None for v in changes.values()):
        raise MediaRejected("Say what to change: --title, --artist, --album or --isrc.")
    with station_services(settings) as services:
        item = services.library.edit(args.id, **changes)
    print(_line(item))
    return 0


def _report(result: IngestResult, out: TextIO) -> None:
    print(_line(result.item), file=out)
    for note in result.notes:
        print(f"  {note}", file=out)
    for warning in result.warnings:
        print(f"  warning: {warning}", file=out)


def _line(item: MediaRecord) -> str:
    loudness = "silent" if item.loudness_lufs is None else f"{item.loudness_lufs:.1f} LUFS"
    name = item.title or item.original_filename
    artist = f" — {item.artist}" if item.artist else ""
    return (
        f"#{item.id} {name}{artist} ({item.original_filename}): {item.format}, "
        f"{_clock(item.duration_s)}, {loudness}, gain {item.gain_db:+.1f} dB, "
        f"cues {item.cue_in_s:.2f}–{item.cue_out_s:.2f} s, {item.status}"
    )


def _details(item: MediaRecord, settings: Settings, out: TextIO) -> None:
    peak = "—" if item.true_peak_dbtp is None else f"{item.true_peak_dbtp:.1f} dBTP"
    rows = [
        ("Item", f"#{item.id} ({item.status})"),
        ("File name", item.original_filename),
        ("Title", item.title or "—"),
        ("Artist", item.artist or "—"),
        ("Album", item.album or "—"),
        ("ISRC", item.isrc or "—"),
        ("Format", f"{item.format}, {item.size_bytes} bytes"),
        ("Duration", f"{_clock(item.duration_s)} ({item.duration_s:.3f} s, decoded)"),
        ("Loudness", "silent" if item.loudness_lufs is None else f"{item.loudness_lufs:.1f} LUFS"),
        ("True peak", peak),
        ("Gain", f"{item.gain_db:+.2f} dB (to {settings.loudness_target_lufs:g} LUFS)"),
        ("Cue in/out", f"{item.cue_in_s:.2f} s / {item.cue_out_s:.2f} s"),
        ("Stored as", str(settings.media_dir / item.path)),
    ]
    if item.art_path:
        rows.append(("Art", str(settings.media_dir / item.art_path)))
    for label, value in rows:
        print(f"{label + ':':12s} {value}", file=out)
    for warning in item.warnings:
        print(f"warning: {warning}", file=out)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{secs:04.1f}" if hours else f"{minutes}:{secs:04.1f}"


class _Progress:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    WIDTH = 24

    def __init__(self, total: int, out: TextIO) -> None:
        self.total = total
        self.out = out
        self.tty = out.isatty()

    def show(self, done: int, label: str) -> None:
        filled = self.WIDTH * done // self.total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        text = f"[{bar}] {done}/{self.total} {label}"
        if self.tty:
            print(f"\r{text[:100]:<100}", end="", file=self.out, flush=True)
        else:
            print(text, file=self.out, flush=True)

    def clear(self) -> None:
        if self.tty:
            print("\r" + " " * 100 + "\r", end="", file=self.out, flush=True)

    def finish(self) -> None:
        if self.tty:
            print(file=self.out, flush=True)
