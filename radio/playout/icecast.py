"""Icecast's configuration, rendered from the settings and the install's secrets."""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import stat
import string
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from radio.processes import RunAs
from radio.supervisor import Child

TEMPLATE = Path(__file__).with_name("icecast.xml.in")
ICECAST_USER = "icecast2"
ICECAST_GROUP = "icecast"
#: Listeners the station's Icecast takes at most unless told (``icecast_max_listeners``).
MAX_LISTENERS = 1000
#: Icecast's ``<clients>`` counts its sources too: room for them on top of the listeners.
SOURCES = 4


@dataclass(frozen=True)
class IcecastConfig:
    path: Path
    logdir: Path
    #: Icecast's own user when the station runs as root (Icecast refuses to run as root).
    run_as: RunAs | None = None


def icecast_child(
    config: IcecastConfig,
    *,
    pid_file: Path | None = None,
    on_start: Callable[[Child], None] | None = None,
) -> Child:
    """Icecast as a supervised child, as its own user when there is one."""
    return Child(
        "icecast",
        ["icecast2", "-c", str(config.path)],
        run_as=config.run_as,
        pid_file=pid_file,
        on_start=on_start,
    )


def render_icecast(
    *,
    bind: str,
    port: int,
    source_password: str,
    admin_password: str,
    logdir: Path,
    station_name: str,
    max_listeners: int = MAX_LISTENERS,
) -> str:
    """The configuration text. It never has Icecast change its own user: the supervisor
    starts it as that user, so that it still dies with the station (see radio.processes)."""
    values = {
        "location": escape(station_name),
        "hostname": escape(bind),
        "source_password": escape(source_password),
        "admin_password": escape(admin_password),
        "port": str(int(port)),
        "bind": escape(bind),
        "logdir": escape(str(logdir)),
        "clients": str(int(max_listeners) + SOURCES),
    }
    return string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(values)


def write_icecast_config(
    data_dir: Path,
    *,
    bind: str,
    port: int,
    source_password: str,
    admin_password: str,
    station_name: str,
    max_listeners: int = MAX_LISTENERS,
) -> IcecastConfig:
    """Write Icecast's configuration where Icecast can read it, and a log folder it can write.

    As another user, ``icecast/icecast.xml`` (0600) and ``icecast/log`` in the data folder.
    As root, Icecast runs as ``icecast2``, which cannot enter the private (0700) data folder:
    both go to one folder per data folder under the system's temp folder, owned by root and
    open to Icecast's group only (0750): ``icecast.xml`` 0640 root:icecast, ``log/`` owned by
    ``icecast2``.
    """
    where = icecast_location(data_dir)
    path, logdir, run_as = where.path, where.logdir, where.run_as
    logdir.mkdir(parents=True, exist_ok=True)
    if run_as is not None:
        for owned in (logdir, *logdir.iterdir()):
            os.chown(owned, run_as.uid, run_as.gid, follow_symlinks=False)
        os.chmod(logdir, 0o750)
    text = render_icecast(
        bind=bind,
        port=port,
        source_password=source_password,
        admin_password=admin_password,
        logdir=logdir,
        station_name=station_name,
        max_listeners=max_listeners,
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fp:
        fp.write(text)
    if run_as is not None:
        os.chown(path, 0, run_as.gid)
        os.chmod(path, 0o640)
    else:
        os.chmod(path, 0o600)
    return IcecastConfig(path=path, logdir=logdir, run_as=run_as)


def icecast_location(data_dir: Path) -> IcecastConfig:
    """Where Icecast's configuration and logs are for ``data_dir``, and as whom it runs."""
    if os.geteuid() != 0:
        folder = data_dir.resolve() / "icecast"
        run_as = None
    else:
        run_as = RunAs(pwd.getpwnam(ICECAST_USER).pw_uid, grp.getgrnam(ICECAST_GROUP).gr_gid)
        folder = _shared_folder(data_dir, run_as.gid)
    return IcecastConfig(path=folder / "icecast.xml", logdir=folder / "log", run_as=run_as)


def _shared_folder(data_dir: Path, gid: int) -> Path:
    """One folder under the system's temp folder per data folder (not one per run).

    Reused only when it is a real folder owned by root; otherwise (someone else made that
    name) a fresh private name is taken.
    """
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"radio-icecast-{digest}"
    try:
        folder.mkdir(mode=0o750, exist_ok=True)
        info = folder.lstat()
        usable = stat.S_ISDIR(info.st_mode) and info.st_uid == 0
    except OSError:
        usable = False
    if not usable:
        folder = Path(tempfile.mkdtemp(prefix="radio-icecast-"))
    os.chown(folder, 0, gid)
    os.chmod(folder, 0o750)
    return folder
