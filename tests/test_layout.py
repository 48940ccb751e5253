"""The shape of the house: the engine in ``radio/`` never imports the site or Flask."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

IMPORT_ALL = """
import importlib, pkgutil, sys
import radio
for info in pkgutil.walk_packages(radio.__path__, "radio."):
    if ".migrations" in info.name or info.name.endswith("__main__"):
        continue
    importlib.import_module(info.name)
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "web", "werkzeug"))))
"""

PURE_GRID = """
import importlib, pkgutil, sys
import radio.grid
pure = ("model", "recurrence", "clock", "expand", "conflicts", "timeline", "edits", "validate")
for name in pure:
    importlib.import_module("radio.grid." + name)
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "flask"))))
"""


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_no_module_of_the_engine_imports_flask_or_the_site() -> None:
    assert _run(IMPORT_ALL) == ""


def test_the_grid_domain_is_pure() -> None:
    assert _run(PURE_GRID) == ""


def test_the_grid_domain_reads_no_clock() -> None:
    pure = ("model", "recurrence", "clock", "expand", "conflicts", "timeline", "edits", "validate")
    for name in pure:
        text = (ROOT / "radio" / "grid" / f"{name}.py").read_text()
        for call in ("datetime.now(", "time.time(", "date.today(", "utcnow("):
            assert call not in text, f"radio/grid/{name}.py reads the clock ({call})"


def test_no_engine_source_names_the_site_even_in_a_function() -> None:
    """Imports inside functions too: ``radio run`` starts the site as a process instead."""
    import ast

    found = []
    for path in sorted((ROOT / "radio").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in ("flask", "flask_login", "flask_wtf", "web", "werkzeug"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert found == []
