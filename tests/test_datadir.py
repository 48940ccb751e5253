"""The data and public folders, prepared by several processes starting at once."""

from __future__ import annotations

import threading
from pathlib import Path

from radio.config import Settings
from radio.datadir import prepare_data_dir


def test_processes_preparing_one_folder_together_all_start(tmp_path: Path) -> None:
    """Two web processes start together on one data folder (CI once saw one refuse to start:
    the other had removed the shared write probe between its write and its removal)."""
    settings = Settings(data_dir=tmp_path / "var")
    starters = 6
    together = threading.Barrier(starters)
    failures: list[BaseException] = []

    def start() -> None:
        together.wait()
        for _ in range(40):
            try:
                prepare_data_dir(settings)
            except Exception as exc:  # collected and reported below
                failures.append(exc)
                return

    threads = [threading.Thread(target=start) for _ in range(starters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    left = [p.name for p in (settings.data_dir / "run").iterdir()]
    left += [p.name for p in settings.public_dir_in_use.iterdir()]
    assert not [name for name in left if name.startswith(".write-test")]
