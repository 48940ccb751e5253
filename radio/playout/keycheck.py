"""The harbor's check: may this source client go on air in the open live window, and who is it?

A presenter's client sends either their own **stream key** (BUTT, Mixxx, ffmpeg) or a
**go-live token** (the browser's go-live page, which never sees the key). The database keeps
only each key's SHA-256 (a key is random, so a plain hash is enough); the scheduler hands
Liquidsoap the open window's keys as ``presenter:hash`` pairs and its occurrence, and the
harbor runs this file for each source client that connects in that window::

    RADIO_STREAM_KEY=<password> RADIO_STREAM_KEY_HASHES=<pairs> \
    RADIO_LIVE_OCCURRENCE=<occurrence> RADIO_SECRETS=<secrets.toml> python3 -I -S keycheck.py

It prints the presenter's account number (``0``: a key made for the show by the station) or
``refuse``. Hashes and signatures are compared in constant time. The values go in the
environment, never on a command line that other users can read. Standard library only, so it
starts in a few milliseconds with ``-I -S``.

A token is ``<presenter>-<expires>-<signature>``: an HMAC, under a key derived from the
install's web secret, of the presenter, the occurrence and the expiry (Unix time). It works
only for that presenter, in that slot's window, until it expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import sys
import time
import tomllib
from pathlib import Path

KEY_ENV = "RADIO_STREAM_KEY"
HASHES_ENV = "RADIO_STREAM_KEY_HASHES"
OCCURRENCE_ENV = "RADIO_LIVE_OCCURRENCE"
SECRETS_ENV = "RADIO_SECRETS"
REFUSE = "refuse"
_TOKEN = re.compile(r"^([0-9]{1,12})-([0-9]{1,12})-([A-Za-z0-9_-]{32})$")


def key_hash(key: str) -> str:
    """What is stored for a stream key: its SHA-256, hex."""
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def key_matches(key: str, stored_hash: str) -> bool:
    """Whether ``key`` is the key of ``stored_hash`` (constant time; "" matches nothing)."""
    if not key or not stored_hash:
        return False
    return hmac.compare_digest(key_hash(key).encode(), stored_hash.encode())


def key_pairs(hashes: dict[int, str]) -> str:
    """The open window's keys as the scheduler hands them over: ``presenter:hash,…``."""
    return ",".join(f"{presenter}:{digest}" for presenter, digest in sorted(hashes.items()))


def presenter_for_key(key: str, pairs: str) -> int | None:
    """The presenter whose key ``key`` is, among ``pairs`` (:func:`key_pairs`); None if none."""
    found = None
    for pair in pairs.split(","):
        presenter, _, digest = pair.partition(":")
        if presenter.isdigit() and key_matches(key, digest):
            found = int(presenter)  # every pair is compared, whichever matches
    return found


def token_key(web_secret: str) -> bytes:
    """The signing key of go-live tokens, derived from the install's web secret."""
    return hashlib.sha256(b"radio go-live token\0" + web_secret.encode()).digest()


def _signature(key: bytes, presenter: int, occurrence: str, expires: int) -> str:
    message = f"{presenter}\0{occurrence}\0{expires}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:24]
    return base64.urlsafe_b64encode(digest).decode()


def make_token(key: bytes, presenter: int, occurrence: str, expires: int) -> str:
    """A go-live token for ``presenter`` in ``occurrence``'s window, until ``expires``."""
    return f"{presenter}-{expires}-{_signature(key, presenter, occurrence, expires)}"


def presenter_for_token(key: bytes, token: str, occurrence: str, now: float) -> int | None:
    """The presenter a valid, unexpired token for ``occurrence`` was made for; else None."""
    found = _TOKEN.match(token)
    if found is None or not occurrence or not key:
        return None
    presenter, expires = int(found[1]), int(found[2])
    expected = _signature(key, presenter, occurrence, expires)
    if not hmac.compare_digest(expected.encode(), found[3].encode()) or now >= expires:
        return None
    return presenter


def _web_secret(path: str) -> str:
    try:
        with open(path, "rb") as fp:
            return str(tomllib.load(fp).get("web_secret_key", ""))
    except (OSError, tomllib.TOMLDecodeError):
        return ""


def check(env: dict[str, str], now: float) -> str:
    """What the harbor is told: the presenter's number, or ``refuse``."""
    password = env.get(KEY_ENV, "")
    presenter = presenter_for_key(password, env.get(HASHES_ENV, ""))
    if presenter is None and _TOKEN.match(password):
        secret = _web_secret(env.get(SECRETS_ENV, ""))
        if secret:
            presenter = presenter_for_token(
                token_key(secret), password, env.get(OCCURRENCE_ENV, ""), now
            )
    return REFUSE if presenter is None else str(presenter)


def command(python: str = sys.executable) -> tuple[str, ...]:
    """How Liquidsoap runs this check: the interpreter, isolated, and this file."""
    return (python, "-I", "-S", str(Path(__file__).resolve()))


def main() -> int:
    print(check(dict(os.environ), time.time()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
