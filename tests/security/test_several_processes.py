"""The site as two processes on one database, behind Caddy taking them in turn.

The probe starts two ``python -m web`` processes at once on one fresh data folder (so they
also race to create the install's secrets, and to migrate an empty database), once on SQLite
and once on PostgreSQL, and Caddy in front with the Caddyfile
``radio proxy config`` writes for ``web_upstreams`` (round robin). Through Caddy it then
sends a resumable upload whose chunks land on one process, then the other, and failed
logins for one address that land on both. What must hold: the upload reaches "ready" whoever
took each chunk; the failures add up (the sixth try is refused with 429 whichever process
gets it), as they would on one process; and each process's log shows it took its share, so
the probe did test two processes. And processes creating the install's secrets at the same
moment all end up with the same ones (else a cookie signed by one is refused by the other).
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from radio.credentials import load_or_create
from tests.media.make_fixtures import make_fixtures
from tests.pg import PostgresServer
from tests.proxy.rig import ADMIN, PASSWORD, RADIO, Front, caddy_front
from tests.support import free_port, port_open, wait_for

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 30_000


@dataclass
class TwoSites:
    front: Front
    logs: tuple[Path, Path]

    def log_lines(self, pattern: str) -> tuple[int, int]:
        """How many lines of each process's log match ``pattern``."""
        found = re.compile(pattern)
        a, b = (sum(1 for line in log.read_text().splitlines() if found.search(line))
                for log in self.logs)  # fmt: skip
        return a, b


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sites(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[TwoSites]:
    """Two site processes on one database: SQLite in the shared data folder, then PostgreSQL."""
    folder = tmp_path_factory.mktemp("two-sites")
    ports = (free_port(), free_port())
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_")}
    env.update(
        PYTHONPATH=str(ROOT), RADIO_DATA_DIR=str(folder / "var"),
        RADIO_ICECAST_PORT=str(free_port()), RADIO_HARBOR_PORT=str(free_port()),
        RADIO_PUBLIC_URL=f"https://localhost:{port}", RADIO_LOG_LEVEL="DEBUG",
        RADIO_WEB_UPSTREAMS=" ".join(f"127.0.0.1:{p}" for p in ports),
    )  # fmt: skip
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres")
        env["RADIO_DATABASE_URL"] = server.new_database(migrated=False)  # the sites migrate it
    logs = (folder / "web-a.log", folder / "web-b.log")
    children = []
    for web_port, log in zip(ports, logs, strict=True):
        with log.open("wb") as out:
            children.append(subprocess.Popen(
                [sys.executable, "-m", "web"], env={
                    **env, "RADIO_HTTP_PORT": str(web_port), "RADIO_EVENTS_PORT": str(free_port()),
                },
                cwd=folder, stdout=out, stderr=out,
            ))  # fmt: skip
    try:
        for child, web_port, log in zip(children, ports, logs, strict=True):
            wait_for(lambda: port_open(web_port) or child.poll() is not None, 60, "a site")  # noqa: B023
            assert child.poll() is None, log.read_text()
        subprocess.run(
            [RADIO, "user", "add", ADMIN, "--role", "admin", "--password-stdin"],
            input=PASSWORD + "\n", env=env, text=True, check=True, capture_output=True,
        )  # fmt: skip
        with caddy_front(folder, env, port) as front:
            yield TwoSites(front, logs)
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            child.wait(20)


def test_an_upload_whose_chunks_reach_both_processes_becomes_ready(sites: TwoSites) -> None:
    browser = sites.front.browser()
    assert browser.log_in().status == 302
    csrf = browser.csrf("/logout")
    data = (make_fixtures() / "programme-mp3.mp3").read_bytes()
    assert len(data) > 3 * CHUNK
    name = base64.b64encode(b"Two processes.mp3").decode()
    made = browser.request("POST", "/api/uploads", headers={
        "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)),
        "Upload-Metadata": f"filename {name}", "X-CSRFToken": csrf,
    })  # fmt: skip
    assert made.status == 201, made.text
    path = made.headers["Location"].removeprefix(sites.front.origin)
    offset = 0
    while offset < len(data):
        sent = browser.request("PATCH", path, body=data[offset : offset + CHUNK], headers={
            "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset), "X-CSRFToken": csrf,
            "Content-Type": "application/offset+octet-stream",
        })  # fmt: skip
        assert sent.status in (200, 204), sent.text
        offset = int(sent.headers["Upload-Offset"])

    def finished() -> dict[str, object] | None:
        body = json.loads(browser.request("GET", path).body)
        return body if body["status"] in ("done", "rejected") else None

    state = wait_for(finished, 90, "the upload to be analysed")
    assert state["status"] == "done", state
    assert state["result"]["item"]["status"] == "ready", state  # type: ignore[index]
    upload_id = path.rsplit("/", 1)[-1]
    a, b = sites.log_lines(rf"upload {re.escape(upload_id)}: chunk from")
    assert a >= 1 and b >= 1, f"the chunks all went to one process ({a}, {b})"


def test_failed_logins_sent_to_both_processes_add_up(sites: TwoSites) -> None:
    guesser = sites.front.browser(source="127.0.0.9")
    token = guesser.csrf()  # one session, one token: each try is one request, taken in turn

    def try_password(password: str) -> int:
        form = urlencode({"email": "sam@example.org", "password": password, "csrf_token": token})
        return guesser.request(
            "POST", "/login", body=form.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ).status  # fmt: skip

    assert [try_password(f"guess {i}") for i in range(5)] == [401] * 5
    a, b = sites.log_lines(r"failed login for 'sam@example\.org' from 127\.0\.0\.9")
    assert (a + b, min(a, b)) == (5, 2), (a, b)
    # Neither process saw five failures itself; together they did.
    assert [try_password("guess 5"), try_password("guess 6")] == [429, 429]


def test_processes_creating_the_secrets_at_once_all_get_the_same(tmp_path: Path) -> None:
    start = threading.Barrier(12)
    keys: list[str] = []

    def start_up() -> None:
        start.wait()
        keys.append(load_or_create(tmp_path).web_secret_key)

    threads = [threading.Thread(target=start_up) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 12
    assert set(keys) == {load_or_create(tmp_path).web_secret_key}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secrets.toml"]


def test_processes_completing_an_older_secrets_file_at_once_all_get_the_same(
    tmp_path: Path,
) -> None:
    """An older install's file lacks a secret and is readable by others: every process starting
    together fills in and tightens it; none may read it half-written and make its own."""
    older = tmp_path / "secrets.toml"
    for attempt in range(5):
        older.write_text('icecast_source_password = "kept"\nicecast_admin_password = "kept too"\n')
        older.chmod(0o644)
        start = threading.Barrier(12)
        found: list[tuple[str, str, str]] = []

        def start_up(start: threading.Barrier, found: list[tuple[str, str, str]]) -> None:
            start.wait()
            got = load_or_create(tmp_path)
            found.append((got.icecast_source_password, got.icecast_admin_password,
                          got.web_secret_key))  # fmt: skip

        threads = [threading.Thread(target=start_up, args=(start, found)) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(found) == 12, attempt
        assert len(set(found)) == 1, (attempt, set(found))
        assert found[0][:2] == ("kept", "kept too")
        assert older.stat().st_mode & 0o777 == 0o600
