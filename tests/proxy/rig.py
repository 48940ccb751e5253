"""A whole station behind a real Caddy: ``radio run`` on loopback ports, the Caddyfile from
``radio proxy config --internal-tls``, and ``caddy run`` with its own home in a temp folder
(so its local authority, whose root certificate the tests trust, lives there too)."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from radio.config import Settings
from tests.support import free_port, require, wait_for
from tests.test_station import Running, start_station

RADIO = str(Path(sys.executable).with_name("radio"))
PASSWORD = "a long enough password"
ADMIN = "admin@example.org"
TOKEN = re.compile(r'name="(?:[\w-]+-)?csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Front:
    """Caddy answering at ``https://localhost:PORT`` for whatever stands behind it."""

    env: dict[str, str]
    port: int
    ca_file: Path

    @property
    def origin(self) -> str:
        return f"https://localhost:{self.port}"

    def tls(self) -> ssl.SSLContext:
        """Verifies Caddy's certificate against its local authority only."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def browser(self, source: str = "127.0.0.1") -> Browser:
        """A browser connecting from ``source`` (any 127.x.y.z: loopback is a whole /8)."""
        return Browser(self, source)


@dataclass
class Proxied(Front):
    """The whole station (``radio run``) behind Caddy."""

    station: Running = field(kw_only=True)


@dataclass
class Browser:
    """Requests over HTTPS through Caddy, keeping the cookies the site sets."""

    proxied: Front
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)
    #: Where the last login sent the browser.
    landing: str = "/"

    def request(
        self, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:  # fmt: skip
        conn = http.client.HTTPSConnection(
            "localhost", self.proxied.port, context=self.proxied.tls(), timeout=30,
            source_address=(self.source, 0),
        )  # fmt: skip
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            answer = conn.getresponse()
            reply = Reply(answer.status, answer.headers, answer.read())
        finally:
            conn.close()
        for line in reply.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(line)
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return reply

    def csrf(self, path: str = "/login") -> str:
        """A CSRF token for this browser's session, read from the form on ``path``."""
        page = self.request("GET", path)
        found = TOKEN.search(page.text)
        assert found, f"no CSRF token on {path} ({page.status})"
        return found.group(1)

    def log_in(self, email: str = ADMIN, password: str = PASSWORD) -> Reply:
        form = urlencode({"email": email, "password": password, "csrf_token": self.csrf()})
        answer = self.request(
            "POST", "/login", body=form.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        if answer.status == 302:
            self.landing = answer.headers["Location"]
        return answer


def caddy_home(folder: Path) -> dict[str, str]:
    return {
        "HOME": str(folder),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
    }


@contextmanager
def proxied_station(
    demo_media: Path, folder: Path, extra_env: dict[str, str] | None = None
) -> Iterator[Proxied]:
    """The station answering at ``https://localhost:PORT`` through Caddy (``extra_env``:
    more ``RADIO_*`` settings)."""
    require("caddy")
    data = folder / "var"
    shutil.copytree(demo_media, data / "media")
    settings = Settings(
        data_dir=data, http_port=free_port(), icecast_port=free_port(), harbor_port=free_port()
    )
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_")}
    env.update(
        RADIO_DATA_DIR=str(data), RADIO_HTTP_PORT=str(settings.http_port),
        RADIO_ICECAST_PORT=str(settings.icecast_port),
        RADIO_HARBOR_PORT=str(settings.harbor_port),
        RADIO_PUBLIC_URL=f"https://localhost:{port}",
    )  # fmt: skip
    env.update(extra_env or {})
    station = start_station(settings, env, folder / "radio.log")
    try:
        subprocess.run(
            [RADIO, "user", "add", ADMIN, "--role", "admin", "--password-stdin"],
            input=PASSWORD + "\n", env=env, text=True, check=True, capture_output=True,
        )  # fmt: skip
        with caddy_front(folder, env, port) as front:
            yield Proxied(front.env, front.port, front.ca_file, station=station)
    finally:
        if station.proc.poll() is None:
            station.proc.send_signal(signal.SIGTERM)
            station.proc.wait(20)


@contextmanager
def caddy_front(folder: Path, env: dict[str, str], port: int) -> Iterator[Front]:
    """Caddy on the Caddyfile ``radio proxy config --internal-tls`` writes for ``env``
    (whose ``RADIO_PUBLIC_URL`` is ``https://localhost:PORT``), answering once ``/healthz``
    comes through it."""
    require("caddy")
    caddyfile = folder / "Caddyfile"
    subprocess.run(
        [RADIO, "proxy", "config", str(caddyfile), "--internal-tls"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    home = folder / "caddy"
    ca_file = home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    front = Front(env, port, ca_file)
    with (folder / "caddy.log").open("wb") as log:
        caddy = subprocess.Popen(
            ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
            env={**env, **caddy_home(home)}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:

        def answering() -> bool:
            if caddy.poll() is not None:
                raise AssertionError(f"caddy exited:\n{(folder / 'caddy.log').read_text()}")
            if not ca_file.exists():
                return False
            try:
                return front.browser().request("GET", "/healthz").status in (200, 503)
            except (OSError, ssl.SSLError):
                return False

        wait_for(answering, 60, "Caddy to answer over HTTPS")
        yield front
    finally:
        caddy.send_signal(signal.SIGTERM)
        caddy.wait(20)
