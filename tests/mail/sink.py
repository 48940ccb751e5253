"""An aiosmtpd handler that keeps each message it accepts as a file in a folder.

Run as ``python -m aiosmtpd -n -l 127.0.0.1:PORT -c tests.mail.sink.Folder FOLDER``.
"""

from __future__ import annotations

import argparse
import itertools
import os
from pathlib import Path
from typing import Any


class Folder:
    """Writes each message to ``FOLDER/<n>.eml`` (whole, then renamed into place)."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.numbers = itertools.count(len(list(self.folder.glob("*.eml"))) + 1)

    @classmethod
    def from_cli(cls, parser: argparse.ArgumentParser, *args: str) -> Folder:
        if len(args) != 1:
            parser.error("give the folder to keep messages in")
        return cls(args[0])

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        number = next(self.numbers)
        part = self.folder / f"{number:04d}.part"
        content = envelope.original_content or envelope.content
        part.write_bytes(content if isinstance(content, bytes) else content.encode())
        os.replace(part, self.folder / f"{number:04d}.eml")
        return "250 Message accepted for delivery"
