"""``radio service install``: the station as a sandboxed systemd service of its own user.

The sandbox has no running systemd, so the install is checked where it can be: ``--dry-run``
names every step and changes nothing; an install under ``--root TMP`` writes the unit, the
settings file, the data folder and the public folder (outside it, for Caddy) with the right
modes and owners, and the Caddyfile made from those settings serves that folder; the unit passes
``systemd-analyze verify`` and carries the sandboxing the README promises; what the install
refuses, it refuses in one sentence. (Running ``radio run`` as the service's user is not
tried: this sandbox's interpreter lives under /root, which no other user may enter.)
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from radio.config import load_settings
from radio.errors import ConfigError
from radio.service import ServiceLayout, closed_folder, render_unit
from tests.support import require

RADIO = Path(sys.executable).with_name("radio")
UNIT = Path("etc/systemd/system/radio.service")
CONFIG = Path("etc/radio/radio.toml")
DATA = Path("var/lib/radio")
PUBLIC = Path("var/lib/radio-public")


#: Runs a command as an ordinary user (uid 1000 in a user namespace): not root, yet it can
#: still run this sandbox's interpreter, which lives in /root.
NOT_ROOT = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]


def radio(
    *args: str, as_root: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [str(RADIO), *args] if as_root else [*NOT_ROOT, str(RADIO), *args]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_")} | (env or {})
    return subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, env=environ
    )


def install(root: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return radio("service", "install", "--root", str(root), *more)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def unit_settings(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and line[0] != "#")


@pytest.fixture
def open_root() -> Iterator[Path]:
    """A --root folder other users can enter (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="radio-service-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder)


def test_dry_run_names_every_step_and_changes_nothing(tmp_path: Path) -> None:
    # A user no machine has (a machine where the service was installed has "radio").
    done = radio("service", "install", "--dry-run", "--unit-dir", str(tmp_path / "units"),
                 "--data-dir", str(tmp_path / "data"), "--user", "radio-dry-run")  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "nothing changed" in out
    assert "run: adduser --system --group --home " + str(tmp_path / "data") in out
    assert f"make the data folder {tmp_path / 'data'} (0700, owned by radio-dry-run" in out
    assert "copy the station's playlists" in out
    assert "write the settings file /etc/radio/radio.toml (0640, root:radio-dry-run)" in out
    assert f"write the unit {tmp_path / 'units' / 'radio.service'} (0644, root:root)" in out
    assert f"   | ExecStart={RADIO.resolve()} run" in out
    assert f'   | data_dir = "{tmp_path / "data"}"' in out
    assert '   | public_dir = "/var/lib/radio-public"' in out
    assert "make the public folder /var/lib/radio-public (0755, owned by radio-dry-run" in out
    # No systemd runs in the test sandbox: the install says what to run instead.
    assert "systemctl daemon-reload && systemctl enable --now radio.service" in out
    assert list(tmp_path.iterdir()) == []


def test_dry_run_works_without_root_and_install_refuses() -> None:
    require("unshare")
    dry = radio("service", "install", "--dry-run", as_root=False)
    assert dry.returncode == 0, dry.stderr
    assert "write the unit /etc/systemd/system/radio.service" in dry.stdout
    real = radio("service", "install", as_root=False)
    assert real.returncode == 1
    assert real.stderr == (
        "radio: Installing the service needs root (it makes a user and writes to /etc); run "
        "it with sudo, or add --dry-run to see what it would do.\n"
    )


def test_install_under_root_writes_unit_config_and_data_folder(open_root: Path) -> None:
    nobody = pwd.getpwnam("nobody")
    done = install(open_root, "--user", "nobody")
    assert done.returncode == 0, done.stderr
    assert "keep the user nobody (it exists)" in done.stdout
    unit, config, data = open_root / UNIT, open_root / CONFIG, open_root / DATA
    assert (mode(unit), unit.stat().st_uid, unit.stat().st_gid) == (0o644, 0, 0)
    assert (mode(config), config.stat().st_uid) == (0o640, 0)
    assert config.stat().st_gid == nobody.pw_gid
    assert (mode(data), data.stat().st_uid, data.stat().st_gid) == (
        0o700, nobody.pw_uid, nobody.pw_gid,
    )  # fmt: skip
    assert mode(open_root / "etc" / "radio") == 0o755  # the service's user reads its settings
    copied = sorted(p.name for p in (data / "station-playlists").iterdir())
    assert copied == ["jingles.m3u8", "rotation.m3u8"]
    settings = load_settings(config, environ={})
    assert settings.data_dir == Path("/var/lib/radio")
    assert settings.playlists_dir == Path("/var/lib/radio/station-playlists")
    # The HLS stream and the static API files: beside the private data folder, open to all,
    # so Caddy (its own user) can serve them; the Caddyfile points there.
    public = open_root / PUBLIC
    assert (mode(public), public.stat().st_uid) == (0o755, nobody.pw_uid)
    assert settings.public_dir_in_use == Path("/var/lib/radio-public")
    caddy = radio("--config", str(config), "proxy", "config", "-",
                  env={"RADIO_PUBLIC_URL": "https://radio.example.org"})  # fmt: skip
    assert (caddy.returncode, caddy.stderr) == (0, "")  # no note: Caddy can enter the folder
    assert "\t\troot * /var/lib/radio-public\n" in caddy.stdout


def test_unit_passes_systemd_analyze_and_is_sandboxed(open_root: Path) -> None:
    assert install(open_root).returncode == 0
    unit = open_root / UNIT
    verify = subprocess.run(
        [require("systemd-analyze"), "verify", "--man=no", str(unit)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (verify.returncode, verify.stdout + verify.stderr) == (0, "")
    values = unit_settings(unit.read_text("utf-8"))
    assert values["ExecStart"] == f"{RADIO.resolve()} run"
    assert values["User"] == "radio"
    assert values["Environment"] == "RADIO_CONFIG=/etc/radio/radio.toml"
    for key, value in {
        "Restart": "always",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ReadWritePaths": "/var/lib/radio /var/lib/radio-public",
        "PrivateTmp": "yes",
        "AmbientCapabilities": "CAP_SYS_NICE",
        "KillMode": "control-group",
    }.items():
        assert values[key] == value, key
    # This sandbox's Python is under /root: the unit leaves homes readable (and says why).
    assert values["ProtectHome"] == "read-only"
    assert {"RestartSec", "TimeoutStopSec", "LimitNOFILE"} <= values.keys()


def test_a_changed_unit_is_kept_without_force(open_root: Path) -> None:
    assert install(open_root).returncode == 0
    unit, config = open_root / UNIT, open_root / CONFIG
    config.write_text('data_dir = "/var/lib/radio"\nstation_name = "Westway"\n', "utf-8")
    again = install(open_root)  # the same unit: safe to repeat
    assert again.returncode == 0
    assert "Westway" in config.read_text("utf-8")  # the settings a person edited are kept
    # ... made by an older version, without public_dir: the install says what to add.
    assert 'note: it does not set public_dir: add public_dir = "/var/lib/radio-public"' in (
        again.stdout
    )
    unit.write_text(unit.read_text("utf-8") + "Nice=5\n", "utf-8")
    refused = install(open_root)
    assert refused.returncode == 1
    assert refused.stderr == (
        f"radio: {unit} exists and differs from the unit this install writes; add --force "
        "to replace it.\n"
    )
    assert unit.read_text("utf-8").endswith("Nice=5\n")
    assert install(open_root, "--force").returncode == 0
    assert "Nice=5" not in unit.read_text("utf-8")
    assert "Westway" in config.read_text("utf-8")


def test_home_is_protected_unless_the_install_lives_there() -> None:
    python = Path("/usr/bin/python3")
    opt = ServiceLayout(Path("/opt/radio/.venv/bin/radio"), python, project_dir=Path("/opt/radio"))
    assert "\nProtectHome=yes\n" in render_unit(opt)
    checkout = Path("/home/ann/radio")
    home = ServiceLayout(checkout / ".venv/bin/radio", python, project_dir=checkout)
    assert "\nProtectHome=read-only\n" in render_unit(home)


def test_a_folder_closed_to_the_service_user_is_named(open_root: Path) -> None:
    closed = open_root / "closed"
    (closed / "radio" / "bin").mkdir(parents=True)
    for inner in (closed / "radio", closed / "radio" / "bin"):  # whatever the umask is
        os.chmod(inner, 0o755)
    os.chmod(closed, 0o700)
    assert closed_folder(closed / "radio" / "bin" / "radio") == closed
    os.chmod(closed, 0o711)
    assert closed_folder(closed / "radio" / "bin" / "radio") is None


def test_an_install_under_root_works_without_root(open_root: Path) -> None:
    done = radio("service", "install", "--root", str(open_root), as_root=False)
    assert done.returncode == 0, done.stderr
    assert "not root: the files written stay yours, not the service user's" in done.stdout
    assert mode(open_root / UNIT) == 0o644
    assert mode(open_root / CONFIG) == 0o640


def test_adduser_is_found_without_sbin_on_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen in a real install: ``su`` without ``-`` leaves /usr/sbin off root's PATH, and the
    install stopped on "unexpected error (FileNotFoundError: 'adduser')"."""
    from radio.service import _program

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert _program("adduser") == "/usr/sbin/adduser"
    with pytest.raises(ConfigError, match=r"^no-such-tool is not installed here; radio service"):
        _program("no-such-tool")
