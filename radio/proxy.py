"""The Caddyfile that puts the station behind one public HTTPS address.

Caddy (Debian's ``caddy`` 2.6) answers at ``public_url``: the two Icecast mounts go to
Icecast, streamed as they come (``flush_interval -1``), and every other path goes to the
site. Nothing else of Icecast is reachable through it: its admin pages and status documents
fall to the site, which does not know them. The browser's go-live page streams over
``wss://`` to ``/harbor/live`` and ``/harbor/live2``, which Caddy passes (WebSocket and all)
to the harbor's two live mounts; nothing else of the harbor is reachable through it.
Presenters' source clients (BUTT, Mixxx) do not go through Caddy; they reach the harbor on
its own port. Caddy serves the HLS stream (``/hls/``) and the static ``/api/v1/now`` and
``/api/v1/schedule`` itself, from the files the station writes in ``public_dir``, and passes
``/api/v1/now/events`` to the site's events server (:mod:`web.events`). Caddy runs as its own
user: it reads those files only when ``public_dir`` lies outside the station's private data
folder (:func:`closed_to_caddy` says when it does not).

In production Caddy gets the certificate itself (automatic HTTPS). ``internal_tls`` is for
tests and a local try: Caddy's own local authority signs the certificate, HTTP is not
redirected (so port 80 is left alone), and Caddy's admin endpoint is off.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from radio.config import Settings
from radio.errors import ConfigError
from radio.health import MOUNTS
from radio.playout.plan import LIVE_MOUNTS

#: Where the go-live page's WebSockets reach the harbor: ``/harbor/<mount>``.
HARBOR_PREFIX = "/harbor"
#: Served by Caddy from the station's static files (when they exist).
STATIC_API = ("/api/v1/now", "/api/v1/schedule")
EVENTS_PATH = "/api/v1/now/events"
#: Browsers remember for a year that the site is HTTPS only.
HSTS = "max-age=31536000"

_ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}


@dataclass(frozen=True)
class ProxyPlan:
    """What the Caddyfile says: where Caddy answers and where it sends each request."""

    #: ``radio.example.org`` or ``localhost:8443`` (the host and port of ``public_url``).
    site_address: str
    #: The site's processes; Caddy takes them in turn (round robin) when there are several.
    site_upstreams: tuple[str, ...]
    icecast_upstream: str
    harbor_upstream: str = "127.0.0.1:8005"
    internal_tls: bool = False
    #: The site's events server (``/api/v1/now/events``, :mod:`web.events`).
    events_upstream: str = "127.0.0.1:8081"
    #: The folder of files Caddy serves itself (``public_dir``: ``hls/``, ``api/v1/*.json``).
    public_dir: str = "/var/lib/radio-public"


def plan_proxy(settings: Settings, *, internal_tls: bool = False) -> ProxyPlan:
    """The proxy for ``settings``; refused unless ``public_url`` is an https address."""
    public = settings.public_url
    if not public:
        raise ConfigError(
            "Set public_url (RADIO_PUBLIC_URL) to the station's https address, such as "
            "https://radio.example.org, before writing Caddy's configuration."
        )
    parts = urlsplit(public)
    if parts.scheme != "https":
        raise ConfigError(
            f"public_url {public!r} must start with https:// for Caddy to serve the station "
            "over HTTPS."
        )
    if parts.path.strip("/"):
        raise ConfigError(
            f"public_url {public!r} must be the site's address alone, without a path, for "
            "Caddy to serve the station at it."
        )
    return ProxyPlan(
        site_address=parts.netloc.lower(),
        site_upstreams=settings.web_upstreams
        or (_upstream(settings.http_host, settings.http_port),),
        icecast_upstream=_upstream(settings.icecast_host, settings.icecast_port),
        harbor_upstream=_upstream(settings.harbor_host, settings.harbor_port),
        internal_tls=internal_tls,
        events_upstream=_upstream(settings.http_host, settings.events_port_in_use),
        public_dir=str(settings.public_dir_in_use.resolve()),
    )


def closed_to_caddy(settings: Settings) -> Path | None:
    """The folder on the way to ``public_dir`` that Caddy's user may not enter, if any: the
    data folder (always private) when ``public_dir`` is in it, or a folder closed to other
    users. (Folders still missing are made open to all by the station.)"""
    public, data = settings.public_dir_in_use.resolve(), settings.data_dir.resolve()
    if public.is_relative_to(data):
        return data
    for folder in (*reversed(public.parents), public):
        try:
            if not folder.stat().st_mode & stat.S_IXOTH:
                return folder
        except FileNotFoundError:
            return None
    return None


def render_caddyfile(plan: ProxyPlan, station_name: str) -> str:
    """The Caddyfile text for ``plan``."""
    lines = [
        f"# {_comment(station_name)}: written by 'radio proxy config'; write it again after",
        "# changing public_url, data_dir, public_dir, http_port, events_port, icecast_port or",
        "# harbor_port.",
    ]
    if plan.internal_tls:
        lines += [
            "{",
            "\tadmin off",
            "\tauto_https disable_redirects",
            "\tskip_install_trust",
            "}",
            "",
        ]
    mounts = ", ".join(f'"{mount}"' for mount in MOUNTS)
    live = ", ".join(f'"{HARBOR_PREFIX}/{mount}"' for mount in LIVE_MOUNTS)
    lines += [f"{plan.site_address} {{"]
    if plan.internal_tls:
        lines += ["\ttls internal"]
    lines += [
        f'\theader Strict-Transport-Security "{HSTS}"',
        # The path exactly as sent: Caddy's ``path`` matcher cleans it first, so
        # ``/admin/../stream.mp3`` would match and reach Icecast's admin as it was sent.
        f"\t@stream expression `{{http.request.uri.path}} in [{mounts}]`",
        "\thandle @stream {",
        f"\t\treverse_proxy {plan.icecast_upstream} {{",
        "\t\t\tflush_interval -1",
        "\t\t}",
        "\t}",
        f"\t@harbor expression `{{http.request.uri.path}} in [{live}]`",
        "\thandle @harbor {",
        f"\t\turi strip_prefix {HARBOR_PREFIX}",
        f"\t\treverse_proxy {plan.harbor_upstream}",
        "\t}",
        *_public_routes(plan),
        "\thandle {",
        *_site_proxy(plan.site_upstreams),
        "\t}",
        "}",
    ]
    return "\n".join(lines) + "\n"


def _public_routes(plan: ProxyPlan) -> list[str]:
    """The HLS stream and the static ``/api/v1/now`` and ``/api/v1/schedule`` from the files
    the station writes; the now events to the site's events server. A file Caddy cannot
    read (missing, or not readable by Caddy's user) goes on to the site, which answers the
    same paths, as it does ``/api/v1/schedule`` asked with a query."""
    root = _quoted(plan.public_dir)
    static = ", ".join(f'"{path}"' for path in STATIC_API)
    return [
        "\t@hls {",
        "\t\tpath /hls/*",
        f"\t\tfile {{\n\t\t\troot {root}\n\t\t\ttry_files {{path}}\n\t\t}}",
        "\t}",
        "\thandle @hls {",
        f"\t\troot * {root}",
        "\t\t@playlist path *.m3u8",
        '\t\theader @playlist Content-Type "application/vnd.apple.mpegurl"',
        '\t\theader @playlist Cache-Control "no-cache"',
        "\t\t@segment path *.ts",
        '\t\theader @segment Content-Type "video/mp2t"',
        '\t\theader @segment Cache-Control "public, max-age=86400, immutable"',
        '\t\theader Access-Control-Allow-Origin "*"',
        "\t\tfile_server",
        "\t}",
        "\t@static_api {",
        f"\t\texpression `{{http.request.uri}} in [{static}]`",
        f"\t\tfile {{\n\t\t\troot {root}\n\t\t\ttry_files {{path}}.json\n\t\t}}",
        "\t}",
        "\thandle @static_api {",
        f"\t\troot * {root}",
        "\t\trewrite * {file_match.relative}",
        '\t\theader Content-Type "application/json"',
        '\t\theader Cache-Control "no-cache"',
        '\t\theader Access-Control-Allow-Origin "*"',
        "\t\tfile_server",
        "\t}",
        f'\t@events expression `{{http.request.uri.path}} == "{EVENTS_PATH}"`',
        "\thandle @events {",
        f"\t\treverse_proxy {plan.events_upstream} {{",
        "\t\t\tflush_interval -1",
        "\t\t}",
        "\t}",
    ]


def _quoted(path: str) -> str:
    """A path as one Caddyfile token."""
    if any(c in path for c in ' \t"{}\\') or not path:
        return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return path


def _site_proxy(upstreams: tuple[str, ...]) -> list[str]:
    if len(upstreams) == 1:
        return [f"\t\treverse_proxy {upstreams[0]}"]
    # Any process answers any request (everything shared is in the database and the data
    # folder); one that does not answer is skipped until it does again.
    return [
        f"\t\treverse_proxy {' '.join(upstreams)} {{",
        "\t\t\tlb_policy round_robin",
        "\t\t\tlb_try_duration 5s",
        "\t\t\tfail_duration 10s",
        "\t\t}",
    ]


def _upstream(host: str, port: int) -> str:
    host = _ANY_ADDRESS.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def _comment(text: str) -> str:
    return " ".join(text.split())
