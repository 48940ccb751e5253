"""Station settings: defaults, then ``radio.toml``, then ``RADIO_*`` environment variables.

Every setting has a documented default; the README lists them. Anything a person could get
wrong (an unknown key, a port that is not a number, a timezone that does not exist) is
reported as one sentence through :class:`~radio.errors.ConfigError`.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from radio.errors import ConfigError
from radio.relay import check_relays

#: The project checkout (where ``playlists/`` and ``schedules/`` live).
PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Everything the station needs to know before it starts."""

    data_dir: Path = Path("var")
    #: The station's database: empty for SQLite in the data folder (``radio.sqlite3``), or a
    #: PostgreSQL address such as ``postgresql://radio:secret@db.example.org/radio``.
    database_url: str = ""
    station_name: str = "Demo Community Radio"
    timezone: str = "Europe/London"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    #: The site's address as people reach it (``https://radio.example.org``): every absolute
    #: link (feeds, calendars, APIs, invitation links) starts with it, and, when set, the site
    #: answers only requests for this host (and the bind host). Empty: ``http://host:port``.
    public_url: str = ""
    icecast_host: str = "127.0.0.1"
    icecast_port: int = 8000
    #: The address listeners use to reach Icecast (for players and playlists).
    public_stream_url: str = ""
    #: Icecast relays serving the station's mounts (``radio relay config``), by the address
    #: listeners use, e.g. ``["https://relay1.example.org"]``: offered after the station's own.
    relays: tuple[str, ...] = ()
    #: Listeners the station's Icecast takes at most (its relays' pulls count as listeners).
    icecast_max_listeners: int = 1000
    #: The site's processes as Caddy reaches them (``host:port`` each), when there are several
    #: on one database: ``radio proxy config`` has Caddy take them in turn. Empty: the one
    #: at ``http_host:http_port``.
    web_upstreams: tuple[str, ...] = ()
    #: Seconds between two counts of the listeners (the station's Icecast and the relays').
    listener_sample_s: float = 30.0
    harbor_host: str = "127.0.0.1"
    harbor_port: int = 8005
    #: The site's Server-Sent Events server (``/api/v1/now/events``, behind Caddy) listens on
    #: ``http_host`` at this port; 0: ``http_port + 1``.
    events_port: int = 0
    #: Files anyone may fetch, served by Caddy directly: the HLS stream (``hls/``) and the
    #: static ``/api/v1/now`` and ``/api/v1/schedule`` (``api/v1/*.json``). Made 0755, its
    #: files 0644: outside the private data folder, Caddy's own user can read them. Empty:
    #: ``<data_dir>/public`` (only the station's user can enter it).
    public_dir: str = ""
    #: Seconds of audio in each segment of the HLS stream (``/hls/live.m3u8``).
    hls_segment_s: float = 4.0
    #: A station ID jingle plays after every this many rotation tracks (0 = never).
    jingle_every: int = 3
    playlists_dir: Path = PROJECT_DIR / "playlists"
    #: Grid file seeded into an empty database.
    demo_schedule: Path = PROJECT_DIR / "schedules" / "demo.toml"
    #: Seconds of output silence before switching to the next source.
    silence_timeout_s: float = 15.0
    #: Below this level (dBFS) a source counts as silent on air.
    silence_level_db: float = -45.0
    #: Seconds of fade when a scheduled start cuts the rotation.
    fade_s: float = 1.0
    #: Minutes before a live slot that its stream key starts to work.
    live_key_lead_min: float = 5.0
    max_upload_bytes: int = 1024**3
    #: Uploads one person may have in progress at once (opened, not finished or cancelled).
    upload_sessions_per_person: int = 4
    #: Bytes one person's uploads in progress may declare in all.
    upload_reserved_bytes_per_person: int = 2 * 1024**3
    #: Hours without a byte after which an upload in progress is removed, with its bytes.
    upload_expire_after_h: float = 24.0
    loudness_target_lufs: float = -16.0
    true_peak_max_dbtp: float = -1.0
    silence_threshold_db: float = -50.0
    log_level: str = "INFO"
    #: The restic repository backups go to (a folder, ``sftp:host:/path``, ``s3:host/bucket``…);
    #: empty: restic's own ``RESTIC_REPOSITORY``.
    backup_repository: str = ""
    #: A file holding the repository's password; empty: ``RESTIC_PASSWORD_FILE`` or
    #: ``RESTIC_PASSWORD``.
    backup_password_file: str = ""
    #: Local time (HH:MM) of the nightly backup, made while a repository is set.
    backup_at: str = "03:30"
    #: Snapshots kept after each backup (``restic forget --prune``).
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    backup_keep_monthly: int = 6
    #: The mail server that sends invitations, reset links, reminders and notes; empty: no
    #: e-mail (the site and ``radio user`` show links to pass on by hand).
    smtp_host: str = ""
    #: 0: the usual port for ``smtp_security`` (587 for starttls, 465 for tls, 25 for none).
    smtp_port: int = 0
    #: ``starttls`` (upgrade the connection), ``tls`` (TLS from the start) or ``none``.
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    #: A file holding the mail server's password (instead of ``smtp_password``).
    smtp_password_file: str = ""
    #: The sender of the station's e-mail, e.g. ``Radio <radio@example.org>``.
    mail_from: str = ""
    #: Days before a prerecorded slot without an episode that its presenters get a reminder
    #: (0: no reminders).
    reminder_days: int = 2
    #: The off-air logger's files: ``mp3`` or ``ogg`` (Vorbis), at this many kbit/s.
    logger_format: str = "mp3"
    logger_bitrate: int = 128
    #: Days the logger keeps what went out (42: what UK community licences ask for).
    logger_keep_days: int = 42
    #: Length of one logger file (3600: an hour a file, starting on the hour, UTC).
    logger_file_seconds: int = 3600
    #: Extra sources for the settings, for messages ("radio.toml", "RADIO_HTTP_PORT").
    origins: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def database_file(self) -> Path:
        return self.data_dir / "radio.sqlite3"

    @property
    def database_url_in_use(self) -> str:
        """``database_url``, or the SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.database_file}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def control_socket(self) -> Path:
        return self.data_dir / "run" / "liquidsoap.sock"

    @property
    def logger_dir(self) -> Path:
        """The off-air logger's files, named by their UTC start."""
        return self.data_dir / "logger"

    @property
    def scheduler_heartbeat(self) -> Path:
        """Touched by the playout scheduler on every tick: its age says whether it is alive."""
        return self.data_dir / "run" / "scheduler.heartbeat"

    @property
    def public_dir_in_use(self) -> Path:
        """``public_dir``, or ``public`` in the data folder."""
        return Path(self.public_dir) if self.public_dir else self.data_dir / "public"

    @property
    def hls_dir(self) -> Path:
        return self.public_dir_in_use / "hls"

    @property
    def events_port_in_use(self) -> int:
        return self.events_port or self.http_port + 1

    @property
    def site_url(self) -> str:
        """The site's address, without a trailing slash (``public_url`` or the bind address)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.http_host}:{self.http_port}"

    @property
    def smtp_port_in_use(self) -> int:
        """``smtp_port``, or the usual port for ``smtp_security``."""
        return self.smtp_port or {"tls": 465, "none": 25}.get(self.smtp_security, 587)

    @property
    def stream_url(self) -> str:
        if self.public_stream_url:
            return self.public_stream_url.rstrip("/")
        return f"http://{self.icecast_host}:{self.icecast_port}"


_FIELDS = {f.name: f for f in dataclasses.fields(Settings) if f.name != "origins"}
_ENV_PREFIX = "RADIO_"
#: Environment variables that are not settings themselves.
_ENV_NOT_SETTINGS = {"RADIO_CONFIG"}


def load_settings(
    config_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read defaults, then the TOML file (if any), then the environment.

    ``config_file`` defaults to ``$RADIO_CONFIG`` or ``./radio.toml`` when that exists.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    path = config_file or settings_file(env)
    if path is not None:
        for key, raw in _read_toml(path).items():
            if key not in _FIELDS:
                known = ", ".join(sorted(_FIELDS))
                raise ConfigError(f"{path}: unknown setting {key!r}; known settings are {known}.")
            values[key] = _coerce(key, raw, f"{path}: {key}")
            origins[key] = str(path)
    for name, raw in env.items():
        if not name.startswith(_ENV_PREFIX) or name in _ENV_NOT_SETTINGS:
            continue
        key = name[len(_ENV_PREFIX) :].lower()
        if key not in _FIELDS:
            raise ConfigError(
                f"Unknown environment variable {name}; remove it or check its spelling."
            )
        values[key] = _coerce(key, raw, name)
        origins[key] = name
    settings = Settings(**values, origins=origins)
    _validate(settings)
    return settings


def settings_file(environ: Mapping[str, str]) -> Path | None:
    """The settings file in use: ``$RADIO_CONFIG``, else ``./radio.toml`` when it exists."""
    if environ.get("RADIO_CONFIG"):
        return Path(environ["RADIO_CONFIG"])
    return Path("radio.toml") if Path("radio.toml").is_file() else None


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fp:
            return tomllib.load(fp)
    except FileNotFoundError:
        raise ConfigError(f"The configuration file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}.") from None
    except OSError as exc:
        raise ConfigError(f"Cannot read the configuration file {path}: {exc.strerror}.") from None


def _coerce(key: str, raw: object, where: str) -> object:
    kind = _FIELDS[key].type
    try:
        if kind in ("int", int):
            if isinstance(raw, bool):
                raise ValueError
            return int(str(raw))
        if kind in ("float", float):
            if isinstance(raw, bool):
                raise ValueError
            return float(str(raw))
        if kind in ("Path", Path):
            return Path(str(raw))
        if kind == "tuple[str, ...]":  # a TOML list, or words apart in an environment variable
            items = raw.replace(",", " ").split() if isinstance(raw, str) else raw
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise ValueError
            return tuple(items)
        if not isinstance(raw, str):
            raise ValueError
        return raw
    except ValueError:
        want = {
            "int": "a whole number",
            "float": "a number",
            "Path": "a path",
            "tuple[str, ...]": "a list of addresses",
        }.get(str(kind), "text")
        raise ConfigError(f"{where} must be {want}, not {raw!r}.") from None


def _validate(s: Settings) -> None:
    def where(key: str) -> str:
        return s.origins.get(key, "the default")

    for key in ("http_port", "icecast_port", "harbor_port"):
        port = getattr(s, key)
        if not 1 <= port <= 65535:
            raise ConfigError(f"{key} ({where(key)}) must be between 1 and 65535, not {port}.")
    ports = [s.http_port, s.icecast_port, s.harbor_port]
    if len(set(ports)) != 3:
        raise ConfigError(
            f"http_port, icecast_port and harbor_port must differ (they are {ports})."
        )
    try:
        zoneinfo.ZoneInfo(s.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"timezone ({where('timezone')}) {s.timezone!r} is not an IANA time zone "
            "such as Europe/London."
        ) from None
    if s.database_url and not s.database_url.startswith(
        ("sqlite:///", "postgresql://", "postgresql+psycopg://", "postgres://")
    ):
        raise ConfigError(
            f"database_url ({where('database_url')}) must be empty (SQLite in the data folder) "
            "or a PostgreSQL address such as postgresql://radio:secret@localhost/radio."
        )
    if s.public_url:
        _check_public_url(s.public_url, where("public_url"))
    _check_public_dir(s, where("public_dir"))
    check_relays(s.relays, where("relays"))
    _check_web_upstreams(s, where("web_upstreams"))
    if not 1 <= s.icecast_max_listeners <= 100_000:
        raise ConfigError(
            f"icecast_max_listeners ({where('icecast_max_listeners')}) must be between 1 and "
            f"100000, not {s.icecast_max_listeners}."
        )
    if not 5 <= s.listener_sample_s <= 3600:
        raise ConfigError(
            f"listener_sample_s ({where('listener_sample_s')}) must be between 5 and 3600 "
            f"seconds, not {s.listener_sample_s:g}."
        )
    if not 0 <= s.events_port <= 65535 or s.events_port_in_use > 65535:
        raise ConfigError(f"events_port must be between 1 and 65535 (or 0), not {s.events_port}.")
    if not 1 <= s.hls_segment_s <= 10:
        raise ConfigError(
            f"hls_segment_s must be between 1 and 10 seconds, not {s.hls_segment_s:g}."
        )
    if not s.station_name.strip():
        raise ConfigError("station_name must not be empty.")
    if s.jingle_every < 0:
        raise ConfigError("jingle_every must be 0 (no jingles) or more.")
    if s.silence_timeout_s <= 0 or s.fade_s < 0:
        raise ConfigError("silence_timeout_s must be above 0 and fade_s not negative.")
    if not -90 <= s.silence_level_db <= -10:
        raise ConfigError("silence_level_db must be between -90 and -10 (dBFS), e.g. -45.")
    if s.max_upload_bytes <= 0:
        raise ConfigError("max_upload_bytes must be above 0.")
    if s.upload_sessions_per_person < 1:
        raise ConfigError("upload_sessions_per_person must be 1 or more.")
    if s.upload_reserved_bytes_per_person < s.max_upload_bytes:
        raise ConfigError(
            "upload_reserved_bytes_per_person must be at least max_upload_bytes "
            f"({s.max_upload_bytes}), or nobody could upload a file of the largest size."
        )
    if s.upload_expire_after_h <= 0:
        raise ConfigError("upload_expire_after_h must be above 0 (hours).")
    _validate_backup(s)
    _validate_mail(s)
    _validate_logger(s)


def _validate_logger(s: Settings) -> None:
    if s.logger_format not in ("mp3", "ogg"):
        raise ConfigError(f"logger_format must be mp3 or ogg, not {s.logger_format!r}.")
    if not 32 <= s.logger_bitrate <= 320:
        raise ConfigError("logger_bitrate must be between 32 and 320 (kbit/s), e.g. 128.")
    if s.logger_keep_days < 1:
        raise ConfigError("logger_keep_days must be 1 or more (42 is what licences ask).")
    if not 2 <= s.logger_file_seconds <= 86400 or 86400 % s.logger_file_seconds:
        raise ConfigError(
            "logger_file_seconds must divide a day (3600 is an hour), between 2 and 86400."
        )


def _check_public_dir(s: Settings, where: str) -> None:
    """Anyone may read the public folder: it must hold nothing of the private data folder."""
    public, data = s.public_dir_in_use.resolve(), s.data_dir.resolve()
    if (public.is_relative_to(data) and public != data / "public") or data.is_relative_to(public):
        raise ConfigError(
            f"public_dir ({where}) {s.public_dir!r} must be outside the data folder {data} "
            "(anyone may read it), or empty for the data folder's own public/."
        )


def _check_web_upstreams(s: Settings, where: str) -> None:
    for upstream in s.web_upstreams:
        host, _, port = upstream.rpartition(":")
        if not host or "/" in upstream or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ConfigError(
                f"web_upstreams ({where}) {upstream!r} must be a site process's address as "
                "host:port, such as 127.0.0.1:8090."
            )
        if int(port) == s.events_port_in_use and host in (s.http_host, "localhost", "127.0.0.1"):
            raise ConfigError(
                f"web_upstreams ({where}) lists {upstream}, the port of the site's event "
                f"streams (events_port, or http_port + 1: {s.events_port_in_use}); run the "
                f"other site processes on other ports, such as {s.events_port_in_use + 9}, or "
                "set events_port."
            )


def _validate_backup(s: Settings) -> None:
    try:
        hour, minute = (int(part) for part in s.backup_at.split(":"))
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"backup_at must be a local time such as 03:30, not {s.backup_at!r}."
        ) from None
    keep = (s.backup_keep_daily, s.backup_keep_weekly, s.backup_keep_monthly)
    if min(keep) < 0 or not any(keep):
        raise ConfigError(
            "backup_keep_daily, backup_keep_weekly and backup_keep_monthly must be 0 or more, "
            "and at least one above 0 (or every snapshot would go)."
        )


def _validate_mail(s: Settings) -> None:
    if s.smtp_security not in ("starttls", "tls", "none"):
        raise ConfigError(f"smtp_security must be starttls, tls or none, not {s.smtp_security!r}.")
    if not 0 <= s.smtp_port <= 65535:
        raise ConfigError(f"smtp_port must be between 1 and 65535 (or 0), not {s.smtp_port}.")
    if s.smtp_password and s.smtp_password_file:
        raise ConfigError("Set smtp_password or smtp_password_file, not both.")
    if s.smtp_host and "@" not in s.mail_from:
        raise ConfigError(
            "mail_from must be the station's sender address, such as radio@example.org, "
            "when smtp_host is set."
        )
    if s.reminder_days < 0:
        raise ConfigError("reminder_days must be 0 (no reminders) or more.")


def _check_public_url(value: str, where: str) -> None:
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        parts = parts._replace(netloc="")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"public_url ({where}) {value!r} must be an address such as https://radio.example.org."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(
            f"public_url ({where}) {value!r} must be only the site's address, "
            "with no user name, query or fragment."
        )
