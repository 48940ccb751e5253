"""Contract tests of the control-socket client against a real Liquidsoap (the station script)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from radio.errors import LiquidsoapError
from radio.playout.liquidsoap import LiquidsoapClient
from tests.support import wait_for

pytestmark = pytest.mark.stack


def test_socket_is_private(liquidsoap: LiquidsoapClient) -> None:
    assert liquidsoap.path.stat().st_mode & 0o777 == 0o600


def test_version(liquidsoap: LiquidsoapClient) -> None:
    assert liquidsoap.version().startswith("Liquidsoap 2.")


def test_on_air_reports_the_rotation(liquidsoap: LiquidsoapClient) -> None:
    on_air = wait_for(
        lambda: (a := liquidsoap.on_air()) and a.source == "rotation" and a, 15, "rotation"
    )
    assert on_air.filename.endswith(".ogg")
    assert on_air.started_at is not None and abs(on_air.started_at - time.time()) < 120
    # Every demo .ogg is in the rotation's playlist (the station IDs and the emergency too).
    assert on_air.rotation_files == len(list(Path(on_air.filename).parent.glob("*.ogg")))


#: What a hostile title becomes: one line, every character kept but control characters
#: (spaces) and "#{", which Liquidsoap would interpolate inside annotate values.
EXPECTED = 'THE END END shutdown "x" \\ # {1+1}'


def test_hostile_title_is_one_value_and_ends_framing_correctly(
    liquidsoap: LiquidsoapClient, demo_media: Path
) -> None:
    title = 'THE END\nEND\nshutdown "x" \\ #{1+1}'
    rid = liquidsoap.push(
        "slot_a",
        str(demo_media / "demo" / "canal-path.ogg"),
        {
            "title": title,
            "radio_show_title": "Night Owls",
            "radio_occurrence": "night-owls.r1.2026-11-28",
        },
    )
    assert rid >= 0
    meta = wait_for(lambda: liquidsoap.request_metadata(rid).get("title"), 10, "the request")
    assert meta == EXPECTED
    # The gate opens at the start instant; the queued request then goes on air.
    liquidsoap.set_var("slot_a_end", time.time() + 60)
    liquidsoap.set_var("slot_a_start", time.time())
    on_air = wait_for(
        lambda: (a := liquidsoap.on_air()) and a.source == "scheduled" and a, 10, "scheduled"
    )
    assert on_air.title == EXPECTED
    assert on_air.metadata["radio_show_title"] == "Night Owls"
    assert liquidsoap.version().startswith("Liquidsoap")  # still in step after "END" lines
    liquidsoap.set_var("slot_a_start", 1e12)
    liquidsoap.skip("slot_a")
    assert liquidsoap.queue("slot_a") == []


def test_var_round_trip(liquidsoap: LiquidsoapClient) -> None:
    liquidsoap.set_var("slot_b_start", 1234.5)
    assert float(liquidsoap.get_var("slot_b_start")) == 1234.5
    liquidsoap.set_var("slot_b_start", 1e12)
    liquidsoap.set_var("slot_b_occurrence", "")
    assert liquidsoap.get_var("slot_b_occurrence") == ""


def test_string_variables_are_set_as_given(liquidsoap: LiquidsoapClient) -> None:
    liquidsoap.set_var("live_title", 'Late "Night"\nshutdown')
    assert liquidsoap.get_var("live_title") == 'Late "Night" shutdown'
    liquidsoap.set_var("live_title", "Live")


def test_unexpected_replies_raise(liquidsoap: LiquidsoapClient) -> None:
    with pytest.raises(LiquidsoapError):
        liquidsoap.push("no_such_queue", "/nothing.ogg", {})
    with pytest.raises(LiquidsoapError):
        liquidsoap.set_var("no_such_var", 1.0)
    with pytest.raises(LiquidsoapError, match="one line"):
        liquidsoap.command("version\nshutdown")
    with pytest.raises(LiquidsoapError, match="not a Liquidsoap"):
        liquidsoap.skip("x; shutdown")
    with pytest.raises(LiquidsoapError, match="Unexpected reply"):
        liquidsoap.skip("no_such_source")
    with pytest.raises(LiquidsoapError, match="Unexpected reply"):
        liquidsoap.queue("no_such_queue")
    with pytest.raises(LiquidsoapError, match="Unexpected reply"):
        liquidsoap.request_metadata(987654)


def test_unreachable_socket_is_a_project_error(tmp_path: Path) -> None:
    client = LiquidsoapClient(tmp_path / "none.sock", timeout=0.5)
    with pytest.raises(LiquidsoapError, match="not answering"):
        client.version()


def test_a_closed_client_stays_closed(liquidsoap: LiquidsoapClient) -> None:
    """A command racing a shutdown must not open a connection nobody will close."""
    liquidsoap.version()
    liquidsoap.close()
    with pytest.raises(LiquidsoapError, match="closed"):
        liquidsoap.version()
    assert liquidsoap._sock is None
