"""The shape of the house: the engine in ``radio/`` never imports the site or Flask, the grid
domain is pure, and no module imports one that (through others) imports it back."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
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


def _module_imports(tree: ast.Module, name: str, is_package: bool) -> Iterator[tuple[str, str]]:
    """(module, name) for each import run when the module loads: at its top level, in its
    top-level ``if``/``try`` blocks, but not under ``if TYPE_CHECKING``."""

    def walk(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
        for node in body:
            if isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if test not in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                    yield from walk(node.body)
                yield from walk(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody):
                    yield from walk(block)
                for handler in node.handlers:
                    yield from walk(handler.body)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                yield node

    for node in walk(tree.body):
        if isinstance(node, ast.Import):
            yield from ((alias.name, "") for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            package = name.split(".") if is_package else name.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        yield from ((base, alias.name) for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """Module → the project's modules it imports when it loads.

    ``from package import name`` runs the package's ``__init__`` (and so its re-exports):
    it counts as importing the package, and the submodule ``name`` if there is one.
    """
    paths: dict[str, Path] = {}
    for package in ("radio", "web"):
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if "migrations" in parts:
                continue
            paths[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(), str(path))
        edges = set()
        for base, member in _module_imports(tree, name, path.name == "__init__.py"):
            if member and f"{base}.{member}" in paths:
                edges.add(f"{base}.{member}")
            if base in paths:
                edges.add(base)
        graph[name] = edges - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_check_sees_a_cycle_through_a_package_re_export() -> None:
    graph = {"a": {"a.b"}, "a.b": {"a.c"}, "a.c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "a.b", "a.c"]]
