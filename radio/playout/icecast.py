"""Icecast's configuration, rendered from the settings and the install's secrets."""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import stat
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

TEMPLATE = Path(__file__).with_name("icecast.xml.in")
ICECAST_USER = "icecast2"
ICECAST_GROUP = "icecast"


@dataclass(frozen=True)
class IcecastConfig:
    path: Path
    logdir: Path


def render_icecast(
    *,
    bind: str,
    port: int,
    source_password: str,
    admin_password: str,
    logdir: Path,
    station_name: str,
    as_root: bool,
) -> str:
    changeowner = ""
    if as_root:
        changeowner = (
            f"    <changeowner><user>{ICECAST_USER}</user>"
            f"<group>{ICECAST_GROUP}</group></changeowner>\n"
        )
    values = {
        "location": escape(station_name),
        "hostname": escape(bind),
        "source_password": escape(source_password),
        "admin_password": escape(admin_password),
        "port": str(int(port)),
        "bind": escape(bind),
        "logdir": escape(str(logdir)),
        "changeowner": changeowner,
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
) -> IcecastConfig:
    """Write ``icecast/icecast.xml`` (0600) and prepare a log folder Icecast can write.

    As root, Icecast changes to the ``icecast2`` user before opening its logs, so the log
    folder must belong to that user and every folder above it must be enterable; when the
    data folder sits under a private folder (``/root``, a 0700 temp folder) the logs go to a
    per-run folder under the system's temp folder instead.
    """
    as_root = os.geteuid() == 0
    logdir = data_dir.resolve() / "icecast" / "log"
    logdir.mkdir(parents=True, exist_ok=True)
    if as_root:
        uid = pwd.getpwnam(ICECAST_USER).pw_uid
        gid = grp.getgrnam(ICECAST_GROUP).gr_gid
        if not _enterable_by_others(logdir.parent):
            logdir = _shared_logdir(data_dir, uid)
        os.chown(logdir, uid, gid)
        for f in logdir.iterdir():
            os.chown(f, uid, gid)
    path = data_dir / "icecast" / "icecast.xml"
    text = render_icecast(
        bind=bind,
        port=port,
        source_password=source_password,
        admin_password=admin_password,
        logdir=logdir,
        station_name=station_name,
        as_root=as_root,
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fp:
        fp.write(text)
    os.chmod(path, 0o600)
    return IcecastConfig(path=path, logdir=logdir)


def _shared_logdir(data_dir: Path, uid: int) -> Path:
    """One log folder under the system's temp folder per data folder (not one per run).

    Reused only when it is a real folder owned by root or Icecast's user; otherwise (someone
    else made that name) a fresh private name is taken.
    """
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"radio-icecast-log-{digest}"
    try:
        folder.mkdir(mode=0o755, exist_ok=True)
        info = folder.lstat()
        usable = stat.S_ISDIR(info.st_mode) and info.st_uid in (0, uid)
    except OSError:
        usable = False
    if not usable:
        folder = Path(tempfile.mkdtemp(prefix="radio-icecast-log-"))
    os.chmod(folder, 0o755)
    return folder


def _enterable_by_others(folder: Path) -> bool:
    return all(part.stat().st_mode & stat.S_IXOTH for part in [folder, *folder.parents])
