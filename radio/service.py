"""``radio service install``: the station as a systemd service, run by a user of its own.

The install is a plan of steps (make the user, the data folder, the settings file, the unit,
then tell systemd), so ``--dry-run`` can print exactly what a real install does. Every path
written may be put under a prefix (``root``), so the same plan installs into a temp folder.
The unit runs ``<venv>/bin/radio run`` as that user, sandboxed: only the data folder and the
public folder are writable, ``/tmp`` is private, and the only privilege kept is
``CAP_SYS_NICE``, so Liquidsoap still gets the CPU first.

The public folder (``public_dir``: the HLS stream and the static API files, which Caddy serves
as its own user) lies beside the data folder, not in it: the data folder is the station's
alone (0700), the public folder open to all (0755). It goes in ``/var/lib`` with the station's
other state (one ``ReadWritePaths`` line names both) rather than in ``/srv`` or ``/var/www``,
which are the administrator's to lay out and often served whole by another site.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from radio.config import PROJECT_DIR
from radio.errors import ConfigError

UNIT_NAME = "radio.service"
#: Where the station's own playlists (``playlists_dir``) live: the checkout is read-only to it.
STATION_PLAYLISTS = "station-playlists"
#: systemd is running when this folder exists (what ``sd_booted()`` checks).
SYSTEMD_RUNNING = Path("/run/systemd/system")


@dataclass(frozen=True)
class ServiceLayout:
    """Where the service's pieces go on the target system (before any ``root`` prefix)."""

    radio: Path
    #: The interpreter behind ``radio`` (the venv's ``python`` resolved): the user runs it too.
    python: Path
    user: str = "radio"
    data_dir: Path = Path("/var/lib/radio")
    #: The HLS stream and the static API files, for Caddy: outside the private data folder.
    public_dir: Path = Path("/var/lib/radio-public")
    config_file: Path = Path("/etc/radio/radio.toml")
    unit_dir: Path = Path("/etc/systemd/system")
    project_dir: Path = PROJECT_DIR

    @property
    def unit_file(self) -> Path:
        return self.unit_dir / UNIT_NAME

    @property
    def install_paths(self) -> tuple[Path, ...]:
        return self.radio, self.python, self.project_dir

    @property
    def protect_home(self) -> str:
        """``yes``, or ``read-only`` when the install lives in a home folder."""
        homes = (Path("/root"), Path("/home"))
        inside = any(p.is_relative_to(home) for p in self.install_paths for home in homes)
        return "read-only" if inside else "yes"


def closed_folder(path: Path) -> Path | None:
    """The first folder above ``path`` that other users may not enter, if any."""
    for folder in reversed(path.parents):
        try:
            if not folder.stat().st_mode & stat.S_IXOTH:
                return folder
        except OSError:
            return folder
    return None


def render_unit(layout: ServiceLayout) -> str:
    return f"""\
# Made by 'radio service install'; run it again (with --force) rather than editing this.
[Unit]
Description=Community radio station (radio run)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User={layout.user}
Environment=RADIO_CONFIG={layout.config_file}
WorkingDirectory={layout.data_dir}
ExecStart={layout.radio} run
Restart=always
RestartSec=5
# radio run stops its children in order; the cgroup guarantees none outlives it.
KillMode=control-group
TimeoutStopSec=60
LimitNOFILE=65536
UMask=0077
# Liquidsoap runs at nice -10: the only privilege the station keeps.
AmbientCapabilities=CAP_SYS_NICE
CapabilityBoundingSet=CAP_SYS_NICE
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths={layout.data_dir} {layout.public_dir}
PrivateTmp=yes
ProtectHome={layout.protect_home}
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LockPersonality=yes

[Install]
WantedBy=multi-user.target
"""


def render_config(layout: ServiceLayout) -> str:
    return f"""\
# The station's settings (README: Configuration). Made by 'radio service install', which
# keeps this file when run again. After a change: systemctl restart radio
data_dir = "{layout.data_dir}"
# Anyone may read this folder (the HLS stream, /api/v1/now and /schedule): Caddy serves it.
public_dir = "{layout.public_dir}"
playlists_dir = "{layout.data_dir / STATION_PLAYLISTS}"
# station_name = "Westway Community Radio"
# timezone = "Europe/London"
# public_url = "https://radio.example.org"
# public_stream_url = "https://radio.example.org/stream"
# harbor_host = "0.0.0.0"   # where live presenters connect (open harbor_port, 8005)
"""


@dataclass(frozen=True)
class Step:
    """One thing the install does: a sentence saying what, and the doing of it."""

    text: str
    do: Callable[[], None] | None = None
    #: A file's content, printed by ``--dry-run``.
    content: str = ""
    notes: list[str] = field(default_factory=list)


def plan_install(layout: ServiceLayout, *, root: Path | None, force: bool) -> list[Step]:
    """The steps of an install, in order; raises ConfigError for what must not go ahead."""
    if not layout.radio.is_file():
        raise ConfigError(
            f"There is no radio command at {layout.radio}; run 'make install' in the "
            "checkout first."
        )

    def at(path: Path) -> Path:
        return root / path.relative_to("/") if root is not None else path

    unit_text, config_text = render_unit(layout), render_config(layout)
    unit_file = at(layout.unit_file)
    if unit_file.exists() and not force and unit_file.read_text("utf-8") != unit_text:
        raise ConfigError(
            f"{unit_file} exists and differs from the unit this install writes; add --force "
            "to replace it."
        )
    user = _account(layout.user)
    steps = [_user_step(layout, root, exists=user is not None)]
    if os.geteuid() != 0:
        steps[0].notes.append("not root: the files written stay yours, not the service user's")
    owner = user or (-1, -1)
    data = at(layout.data_dir)
    steps.append(
        Step(
            f"make the data folder {data} (0700, owned by {layout.user}, everything in it too)",
            lambda: _make_dir(data, 0o700, *_account_or(layout.user, owner)),
        )
    )
    public = at(layout.public_dir)
    steps.append(
        Step(
            f"make the public folder {public} (0755, owned by {layout.user}: the HLS stream and "
            "the static API files, which Caddy reads)",
            lambda: _make_dir(public, 0o755, *_account_or(layout.user, owner)),
        )
    )
    source, playlists = layout.project_dir / "playlists", data / STATION_PLAYLISTS
    steps.append(
        Step(
            f"copy the station's playlists {source}/*.m3u8 to {playlists} (those missing)",
            lambda: _copy_playlists(source, playlists, *_account_or(layout.user, owner)),
        )
    )
    config = at(layout.config_file)
    if config.exists():
        steps.append(Step(f"keep the settings file {config} (it exists)"))
        if not _setting(config, "public_dir"):  # made by an older version
            steps[-1].notes.append(
                f'it does not set public_dir: add public_dir = "{layout.public_dir}", or Caddy '
                "cannot serve the HLS stream and the static API files"
            )
    else:
        steps.append(
            Step(
                f"write the settings file {config} (0640, root:{layout.user})",
                lambda: _write(config, config_text, 0o640, _account_or(layout.user, owner)[1]),
                content=config_text,
            )
        )
    steps.append(
        Step(
            f"write the unit {unit_file} (0644, root:root)",
            lambda: _write(unit_file, unit_text, 0o644, 0),
            content=unit_text,
        )
    )
    steps[-1].notes.extend(_install_notes(layout))
    steps.extend(_systemctl_steps(root))
    return steps


def _install_notes(layout: ServiceLayout) -> list[str]:
    """What to know about where the install lives (the service's user runs it from there)."""
    notes = []
    if layout.protect_home == "read-only":
        notes.append(
            "the install is in a home folder (/root or /home), so the unit has "
            "ProtectHome=read-only rather than yes"
        )
    for path in layout.install_paths:
        closed = closed_folder(path)
        if closed is not None:
            notes.append(
                f"{closed} is closed to other users, so {layout.user} cannot use {path}; "
                "the service will not start until the checkout and its Python live where "
                "others may enter (e.g. /opt/radio, with Debian's python3)"
            )
    return notes


def _user_step(layout: ServiceLayout, root: Path | None, *, exists: bool) -> Step:
    command = ["adduser", "--system", "--group", "--home", str(layout.data_dir),
               "--no-create-home", layout.user]  # fmt: skip
    if exists:
        return Step(f"keep the user {layout.user} (it exists)")
    if root is not None:
        return Step(
            f"skip making the user {layout.user} (--root writes files only; on the target "
            f"system run: {' '.join(command)})"
        )
    return Step(f"run: {' '.join(command)}", lambda: _run(command))


def _systemctl_steps(root: Path | None) -> list[Step]:
    commands = [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", UNIT_NAME]]
    shown = " && ".join(" ".join(c) for c in commands)
    if root is not None:
        return [Step(f"skip systemctl (--root); on the target system run: {shown}")]
    if not SYSTEMD_RUNNING.is_dir():
        return [
            Step(
                f"skip systemctl: systemd is not running here ({SYSTEMD_RUNNING} is missing); "
                f"where it runs, run: {shown}"
            )
        ]
    return [Step(f"run: {' '.join(c)}", partial(_run, c)) for c in commands]


def _account(user: str) -> tuple[int, int] | None:
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def _account_or(user: str, fallback: tuple[int, int]) -> tuple[int, int]:
    """The user's ids, looked up when the step runs (after adduser made it); not as root
    (``--root`` by another user), files stay the installer's."""
    if os.geteuid() != 0:
        return -1, -1
    return _account(user) or fallback


def _make_parents(path: Path) -> None:
    """Make the missing folders above ``path``, open to all (0755) despite the umask."""
    missing = [p for p in path.parents if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir()
        os.chmod(folder, 0o755)


def _make_dir(path: Path, mode: int, uid: int, gid: int) -> None:
    """``path`` with ``mode``, owned (with all in it) by ``uid``:``gid``."""
    _make_parents(path)
    path.mkdir(exist_ok=True)
    os.chmod(path, mode)
    for folder, dirs, files in os.walk(path):
        for name in (folder, *(os.path.join(folder, n) for n in (*dirs, *files))):
            os.chown(name, uid, gid, follow_symlinks=False)


def _setting(config: Path, key: str) -> object:
    """A setting as an existing settings file gives it (None when absent or unreadable)."""
    try:
        with config.open("rb") as fp:
            return tomllib.load(fp).get(key)
    except (OSError, tomllib.TOMLDecodeError):
        return None


def _copy_playlists(source: Path, target: Path, uid: int, gid: int) -> None:
    target.mkdir(mode=0o700, exist_ok=True)
    os.chown(target, uid, gid)
    for playlist in sorted(source.glob("*.m3u8")):
        copy = target / playlist.name
        if not copy.exists():
            shutil.copyfile(playlist, copy)
            os.chmod(copy, 0o600)
            os.chown(copy, uid, gid)


def _write(path: Path, text: str, mode: int, gid: int) -> None:
    _make_parents(path)
    path.write_text(text, encoding="utf-8")
    os.chown(path, 0 if os.geteuid() == 0 else -1, gid if os.geteuid() == 0 else -1)
    os.chmod(path, mode)


#: Where Debian keeps adduser and friends, searched too: ``sudo`` and root's login shell have
#: them on the PATH, but ``su`` without ``-`` or a cron job may not.
SYSTEM_BIN = ("/usr/sbin", "/sbin", "/usr/bin", "/bin")


PACKAGES = {"adduser": "adduser", "systemctl": "systemd"}


def _program(name: str) -> str:
    path = os.environ.get("PATH", "")
    found = shutil.which(name, path=os.pathsep.join((path, *SYSTEM_BIN)) if path else None)
    if found is None:
        raise ConfigError(
            f"{name} is not installed here; radio service install needs it "
            f"(on Debian, apt-get install {PACKAGES.get(name, name)})."
        )
    return found


def _run(command: list[str]) -> None:
    program = _program(command[0])
    done = subprocess.run([program, *command[1:]], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip().splitlines()
        raise ConfigError(
            f"{' '.join(command)} failed ({why[-1] if why else f'exit {done.returncode}'})."
        )
