"""Icecast relays: more Icecast servers, elsewhere, that serve the station's listeners.

A relay pulls each of the station's mounts with Icecast's own per-mount relay (``<relay>``
with ``on-demand`` off), which connects to the station's Icecast as a listener would: the
relay needs no password of the station's, and Icecast itself reconnects when the station's
Icecast restarts. (Icecast's other way, ``<master-server>``, would send the station's relay
password over plain HTTP.) Icecast 2.4 relays over plain HTTP only, so the relay reaches the
station's Icecast directly (``icecast_host`` reachable from the relay, ``icecast_port`` open to
it), not through the HTTPS proxy.

The station lists its relays in the ``relays`` setting; the listen links (``/listen.m3u``,
``/listen.pls``) and the home page's player offer them first, and the station's own Icecast
last (players move on to the next address when one fails).
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from radio.errors import ConfigError

TEMPLATE = Path(__file__).with_name("playout") / "relay.xml.in"
#: The station's mounts, each relayed under the same name.
MOUNTS = ("/stream.mp3", "/stream.ogg")
#: Seconds between a relay's tries to reach the station's Icecast again.
RETRY_S = 5
#: Listeners one relay takes by default (Icecast's ``<clients>``, sources included).
RELAY_CLIENTS = 2000


@dataclass(frozen=True)
class Master:
    """The station's Icecast, as the relay reaches it."""

    host: str
    port: int


def parse_master(url: str) -> Master:
    """``http://host[:port]``: the station's Icecast as the relay reaches it."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme == "https":
        raise ConfigError(
            f"--master {url!r}: Icecast relays pull over plain HTTP only; give the station's "
            "Icecast itself, such as http://radio.example.org:8000 (open that port to the relay)."
        )
    if parts.scheme != "http" or not parts.hostname or port == -1 or parts.path not in ("", "/"):
        raise ConfigError(
            f"--master {url!r} must be the station's Icecast address, such as "
            "http://radio.example.org:8000."
        )
    return Master(parts.hostname, port or 80)


def render_relay(
    master: Master,
    *,
    station_name: str,
    port: int = 8000,
    bind: str = "0.0.0.0",
    hostname: str = "",
    logdir: Path = Path("/var/log/icecast2"),
    clients: int = RELAY_CLIENTS,
    admin_password: str | None = None,
) -> str:
    """The relay's ``icecast.xml``; fresh random passwords unless one is given."""
    if not 1 <= port <= 65535:
        raise ConfigError(f"--port must be between 1 and 65535, not {port}.")
    if clients < 1:
        raise ConfigError(f"--clients must be 1 or more, not {clients}.")
    relays = "\n".join(
        "  <relay>\n"
        f"    <server>{escape(master.host)}</server>\n"
        f"    <port>{master.port}</port>\n"
        f"    <mount>{mount}</mount>\n"
        f"    <local-mount>{mount}</local-mount>\n"
        "    <on-demand>0</on-demand>\n"
        "    <relay-shoutcast-metadata>1</relay-shoutcast-metadata>\n"
        "  </relay>"
        for mount in MOUNTS
    )
    values = {
        "location": escape(station_name),
        "master": escape(f"http://{master.host}:{master.port}"),
        "hostname": escape(hostname or bind),
        "clients": str(clients),
        "source_password": secrets.token_urlsafe(24),
        "admin_password": escape(admin_password or secrets.token_urlsafe(18)),
        "relays": relays,
        "retry": str(RETRY_S),
        "port": str(port),
        "bind": escape(bind),
        "logdir": escape(str(logdir)),
    }
    return string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(values)


def check_relays(relays: tuple[str, ...], where: str) -> None:
    """Each entry of the ``relays`` setting is a listener-facing base address."""
    for relay in relays:
        parts = urlsplit(relay)
        try:
            parts.port  # noqa: B018 - a port that is not a number raises here
        except ValueError:
            parts = parts._replace(netloc="")
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ConfigError(
                f"relays ({where}) {relay!r} must be a relay's address, such as "
                "https://relay1.example.org or http://relay1.example.org:8000."
            )


def stream_urls(stream_url: str, relays: tuple[str, ...], mount: str) -> list[str]:
    """Where listeners can hear ``mount``: each relay in turn, then the station's own Icecast
    (which then mostly feeds the relays, and takes listeners only when they fail)."""
    return [f"{base.rstrip('/')}{mount}" for base in (*relays, stream_url)]
