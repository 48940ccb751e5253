"""``radio user add|invite|reset|list``: the command-line contract."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from radio.accounts.service import AccountService
from radio.changelog import ChangeLog
from radio.cli import main
from radio.config import PROJECT_DIR
from radio.db import Database


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    """A data folder with the demo grid, once on SQLite and once on PostgreSQL."""
    for name in list(__import__("os").environ):
        if name.startswith("RADIO_"):
            monkeypatch.delenv(name)
    (tmp_path / "var").mkdir()
    monkeypatch.setenv("RADIO_DATA_DIR", str(tmp_path / "var"))
    if database_url:
        monkeypatch.setenv("RADIO_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    assert main(["grid", "import", str(PROJECT_DIR / "schedules" / "demo.toml")]) == 0
    return tmp_path / "var"


def station_db(data: Path) -> Database:
    """The database the ``radio`` commands of the test use."""
    url = __import__("os").environ.get("RADIO_DATABASE_URL")
    return Database(url or f"sqlite:///{data / 'radio.sqlite3'}")


def run(args: list[str], capsys: pytest.CaptureFixture[str], stdin: str = "") -> tuple[int, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(args)
    out = capsys.readouterr()
    return code, out.out + out.err


def test_add_with_password_on_stdin_then_list(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(
        [
            "user",
            "add",
            "Sam@Example.org",
            "--role",
            "presenter",
            "--show",
            "morning-coffee",
            "--show",
            "book-club",
            "--password-stdin",
        ],
        capsys,
        "correct horse battery\n",
    )
    assert code == 0, out
    assert out.strip() == "Added sam@example.org as presenter for book-club, morning-coffee."
    db = station_db(data)
    try:
        assert AccountService(db).authenticate("sam@example.org", "correct horse battery")
    finally:
        db.dispose()
    code, out = run(["user", "list"], capsys)
    assert code == 0
    assert re.search(r"sam@example.org\s+presenter\s+active\s+book-club, morning-coffee", out)
    db = station_db(data)
    try:
        changes = sorted(c.what for c in ChangeLog(db).recent() if "presenter" in c.what)
    finally:
        db.dispose()
    assert changes == [
        "A presenter without a name is now a presenter of Morning Coffee.",
        "A presenter without a name is now a presenter of The Book Club.",
    ]


def test_inviting_again_keeps_the_shows_and_the_log_says_what_changed(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invite = ["user", "invite", "joe@example.org", "--role", "presenter"]
    assert run([*invite, "--show", "morning-coffee"], capsys)[0] == 0
    code, out = run(invite, capsys)  # again, to send a new link
    assert code == 0 and "for morning-coffee" in out.splitlines()[0]
    code, out = run(["user", "invite", "joe@example.org", "--role", "volunteer"], capsys)
    assert code == 0 and out.startswith("Invited joe@example.org as volunteer.")
    db = station_db(data)
    try:
        changes = [c.what for c in ChangeLog(db).recent() if "presen" in c.what]
    finally:
        db.dispose()
    assert changes == [
        "A volunteer without a name no longer presents Morning Coffee.",
        "A presenter without a name is now a presenter of Morning Coffee.",
    ]


def test_invite_prints_a_link_that_works(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["user", "invite", "kim@example.org", "--role", "volunteer"], capsys)
    assert code == 0, out
    link = out.strip().splitlines()[-1]
    assert re.fullmatch(r"http://127\.0\.0\.1:8080/invite/[\w-]{40,}", link)
    db = station_db(data)
    try:
        account, purpose = AccountService(db).check_token(link.rsplit("/", 1)[1])
    finally:
        db.dispose()
    assert account.email == "kim@example.org" and purpose == "invite"
    code, out = run(["user", "list"], capsys)
    assert re.search(r"kim@example.org\s+volunteer\s+invited", out)
    code, out = run(["user", "reset", "kim@example.org"], capsys)
    assert code == 0 and "/invite/" in out


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            [
                "user",
                "add",
                "x@example.org",
                "--role",
                "presenter",
                "--show",
                "nope",
                "--password-stdin",
            ],
            "long enough password\n",
            "There is no show 'nope' in the grid; the shows are: ",
        ),
        (
            ["user", "add", "x@example.org", "--role", "admin", "--password-stdin"],
            "short\n",
            "A password needs at least 10 characters.",
        ),
        (
            ["user", "add", "x@example.org", "--role", "admin", "--password-stdin"],
            "",
            "Give the password on the first line of standard input.",
        ),
        (
            ["user", "invite", "not-an-address", "--role", "admin"],
            "",
            "'not-an-address' is not an e-mail address",
        ),
        (
            ["user", "invite", "x@example.org", "--role", "volunteer", "--show", "morning-coffee"],
            "",
            "Only presenters are linked to shows",
        ),
        (["user", "reset", "ghost@example.org"], "", "There is no account for ghost@example.org"),
    ],
)
def test_mistakes_are_one_sentence_and_exit_1(
    data: Path, capsys: pytest.CaptureFixture[str], args: list[str], stdin: str, message: str
) -> None:
    code, out = run(args, capsys, stdin)
    assert code == 1
    assert out.startswith("radio: ") and message in out and "Traceback" not in out
    assert len(out.strip().splitlines()) == 1


def test_role_is_checked_by_the_parser(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(["user", "add", "x@example.org", "--role", "dj", "--password-stdin"], capsys)
    assert exit_.value.code == 2
