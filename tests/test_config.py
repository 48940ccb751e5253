"""Settings: defaults, the TOML file, environment overrides, and refusals in one sentence."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from radio.config import load_settings
from radio.errors import ConfigError
from tests.support import free_port, port_open, stop, wait_for

RADIO = str(Path(sys.executable).with_name("radio"))
ROOT = Path(__file__).resolve().parents[1]


def test_defaults_are_the_documented_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings(environ={})
    assert (str(s.data_dir), s.http_port, s.icecast_port, s.harbor_port) == (
        "var",
        8080,
        8000,
        8005,
    )
    assert s.timezone == "Europe/London" and s.http_host == "127.0.0.1"
    assert s.icecast_host == "127.0.0.1" and s.harbor_host == "127.0.0.1"
    assert s.public_url == "" and s.site_url == "http://127.0.0.1:8080"
    public = load_settings(environ={"RADIO_PUBLIC_URL": "https://radio.example.org/"})
    assert public.site_url == "https://radio.example.org"
    assert s.database_url == "" and s.database_url_in_use == "sqlite:///var/radio.sqlite3"
    assert s.public_dir_in_use == Path("var/public") and s.hls_dir == Path("var/public/hls")
    outside = load_settings(environ={"RADIO_PUBLIC_DIR": "/var/lib/radio-public"})
    assert outside.hls_dir == Path("/var/lib/radio-public/hls")


def test_file_then_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "radio.toml"
    cfg.write_text('station_name = "Westway FM"\nhttp_port = 9000\ntimezone = "Europe/Dublin"\n')
    s = load_settings(cfg, environ={"RADIO_HTTP_PORT": "9100", "RADIO_DATA_DIR": "/srv/x"})
    assert s.station_name == "Westway FM"
    assert s.http_port == 9100
    assert s.data_dir == Path("/srv/x")
    assert s.timezone == "Europe/Dublin"


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("colour = 1\n", {}, "unknown setting 'colour'"),
        ("http_port = 'eighty'\n", {}, "http_port must be a whole number, not 'eighty'"),
        (
            "",
            {"RADIO_HTTP_PORT": "99999"},
            "http_port (RADIO_HTTP_PORT) must be between 1 and 65535",
        ),
        ("", {"RADIO_TIMEZONE": "Mars/Olympus"}, "'Mars/Olympus' is not an IANA time zone"),
        ("", {"RADIO_PORT": "1"}, "Unknown environment variable RADIO_PORT"),
        ("http_port = 8000\n", {}, "must differ"),
        ("http_port = [\n", {}, "is not valid TOML"),
        ("", {"RADIO_SILENCE_LEVEL_DB": "0"}, "silence_level_db must be between -90 and -10"),
        (
            "",
            {"RADIO_PUBLIC_URL": "radio.example.org"},
            "public_url (RADIO_PUBLIC_URL) 'radio.example.org' must be an address such as "
            "https://radio.example.org.",
        ),
        ("public_url = 'https://r.example.org/?x=1'\n", {}, "no user name, query or fragment"),
        (
            "",
            {"RADIO_SMTP_SECURITY": "ssl"},
            "smtp_security must be starttls, tls or none, not 'ssl'.",
        ),
        (
            "smtp_host = 'mail.example.org'\n",
            {},
            "mail_from must be the station's sender address, such as radio@example.org, "
            "when smtp_host is set.",
        ),
        *(
            (
                "",
                {"RADIO_DATA_DIR": "/srv/radio", "RADIO_PUBLIC_DIR": public},
                f"public_dir (RADIO_PUBLIC_DIR) '{public}' must be outside the data folder "
                "/srv/radio (anyone may read it), or empty for the data folder's own public/.",
            )
            for public in ("/srv/radio/media", "/srv/radio", "/srv")
        ),
        ("", {"RADIO_REMINDER_DAYS": "-1"}, "reminder_days must be 0 (no reminders) or more."),
        (
            "database_url = 'mysql://radio@db/radio'\n",
            {},
            "must be empty (SQLite in the data folder) or a PostgreSQL address such as "
            "postgresql://radio:secret@localhost/radio.",
        ),
    ],
)
def test_bad_configuration_is_one_sentence(
    tmp_path: Path, toml: str, env: dict[str, str], message: str
) -> None:
    cfg = tmp_path / "radio.toml"
    cfg.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, environ=env)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RADIO, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("key", ["icecast_port", "http_port"])
def test_cli_refuses_a_port_in_use(station_env: dict[str, str], tmp_path: Path, key: str) -> None:
    """Another program (here a web server) on one of the station's ports: one sentence."""
    port = free_port()
    variable = f"RADIO_{key.upper()}"
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(lambda: port_open(port) or server.poll() is not None, 30, "the web server")
        result = run_cli(["run"], dict(station_env, **{variable: str(port)}), tmp_path)
    finally:
        stop(server)
    assert result.returncode == 1
    assert result.stderr == (
        f"radio: Port {port} on 127.0.0.1 ({key}) is already in use; stop what is using "
        f"it or choose another port with {variable}.\n"
    )


def test_a_site_process_on_a_port_in_use_says_so(
    station_env: dict[str, str], tmp_path: Path
) -> None:
    """An extra site process (``python -m web``) started on a port already taken."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "web"], env=dict(station_env, RADIO_HTTP_PORT=str(port),
            RADIO_EVENTS_PORT=str(free_port()), PYTHONPATH=str(ROOT)), cwd=tmp_path,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.endswith(
        f"web: The site cannot listen on 127.0.0.1:{port} (Address already in use); "
        "set RADIO_HTTP_PORT to a free port.\n"
    ), result.stderr


def test_cli_refuses_an_unwritable_data_folder(station_env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli(["init"], dict(station_env, RADIO_DATA_DIR=str(blocker / "var")), tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"radio: The data folder {blocker / 'var'} cannot be written")
    assert "Traceback" not in result.stderr


def test_cli_refuses_a_missing_program(station_env: dict[str, str], tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    result = run_cli(["run"], dict(station_env, PATH=str(bin_dir)), tmp_path)
    assert result.returncode == 1
    assert "liquidsoap, icecast2, ffmpeg, ffprobe, espeak-ng are not installed" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_refuses_unknown_config_key(station_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "radio.toml").write_text("http_prot = 1\n")
    result = run_cli(["run"], station_env, tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("radio: radio.toml: unknown setting 'http_prot'")


def test_cli_will_not_make_a_station_at_a_mistyped_data_folder(
    station_env: dict[str, str], tmp_path: Path
) -> None:
    typo = tmp_path / "nonexistent" / "x"
    result = run_cli(["media", "list"], dict(station_env, RADIO_DATA_DIR=str(typo)), tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"radio: The data folder {typo} does not exist; run 'radio init' (or 'make run') to "
        "make a station there, or set RADIO_DATA_DIR to the station's folder."
    )
    assert not typo.exists()
