"""The harbor's stream key check: is a source client's password the open slot's key?

The database keeps only each key's SHA-256 (a key is random, so a plain hash is enough); the
scheduler hands Liquidsoap the hash of the key that opens the live window, and Liquidsoap's
harbor runs this file for each source client that connects in that window::

    RADIO_STREAM_KEY=<password> RADIO_STREAM_KEY_HASH=<hash> python3 -I -S keycheck.py

It prints ``accept`` or ``refuse``; the hashes are compared in constant time. The values go
in the environment, never on a command line that other users can read. Standard library
only, so it starts in a few milliseconds with ``-I -S``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
from pathlib import Path

KEY_ENV = "RADIO_STREAM_KEY"
HASH_ENV = "RADIO_STREAM_KEY_HASH"


def key_hash(key: str) -> str:
    """What is stored for a stream key: its SHA-256, hex."""
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def key_matches(key: str, stored_hash: str) -> bool:
    """Whether ``key`` is the key of ``stored_hash`` (constant time; "" matches nothing)."""
    if not key or not stored_hash:
        return False
    return hmac.compare_digest(key_hash(key).encode(), stored_hash.encode())


def command(python: str = sys.executable) -> tuple[str, ...]:
    """How Liquidsoap runs this check: the interpreter, isolated, and this file."""
    return (python, "-I", "-S", str(Path(__file__).resolve()))


def main() -> int:
    ok = key_matches(os.environ.get(KEY_ENV, ""), os.environ.get(HASH_ENV, ""))
    print("accept" if ok else "refuse")
    return 0


if __name__ == "__main__":
    sys.exit(main())
