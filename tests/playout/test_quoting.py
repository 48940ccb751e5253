from __future__ import annotations

import pytest

from radio.playout.quoting import annotate_uri, clean_value, quote, script_string


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("two\nlines\r\nquit", '"two lines  quit"'),
        ("tab\there", '"tab here"'),
        ("#{x}", '"# {x}"'),
        ("\u2028sep", '" sep"'),
    ],
)
def test_quote_gives_one_literal_on_one_line(value: str, expected: str) -> None:
    assert quote(value) == expected


def test_script_string_breaks_interpolation() -> None:
    assert script_string("a#{b}") == '("a" ^ "#" ^ "{" ^ "b}")'
    assert script_string("no interpolation #") == '"no interpolation #"'


def test_annotate_uri_quotes_every_value() -> None:
    uri = annotate_uri("/m/a.mp3", {"title": "THE END\nshutdown", "artist": 'A "B"'})
    assert uri == 'annotate:title="THE END shutdown",artist="A \\"B\\"":/m/a.mp3'
    assert "\n" not in uri


def test_annotate_uri_refuses_odd_keys() -> None:
    with pytest.raises(ValueError):
        annotate_uri("/m/a.mp3", {'x",y="z': "v"})


def test_values_are_capped() -> None:
    assert len(clean_value("x" * 10_000)) == 2000
