"""The engine's shape: stages import only downward, no import cycles, modules a reader can hold.

The contracts live in pyproject.toml (``[tool.importlinter]``) and are checked by
import-linter over the real import graph, lazy imports inside functions included;
cycles are found here on the same graph (grimp's), between any two modules.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

MAX_LINES = 450
"""About 400 lines or fewer a module; a module that grows past this is split by what it does."""


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every group of two or more modules that import each other, directly or not (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return groups


def test_the_cycle_finder_finds_cycles():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_module_of_the_engine_imports_itself_back():
    import grimp

    graph = grimp.build_graph("book", include_external_packages=False)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert strongly_connected(edges) == []


def test_stages_import_only_downward_and_commands_stand_side_by_side():
    proc = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 kept, 0 broken" in proc.stdout


def test_modules_stay_small_enough_to_read():
    long = {str(p.relative_to(ROOT)): n for p in sorted((ROOT / "book").rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_folders_are_the_stages():
    folders = sorted(p.name for p in (ROOT / "book").iterdir() if p.is_dir() and p.name != "__pycache__")
    assert folders == ["commands", "lint", "load", "locales", "publish", "render", "resolve", "skeleton"]


def test_run_time_dependencies_are_what_the_engine_imports():
    """Every third-party package ``book/`` imports is declared, and nothing else is."""
    import ast
    import importlib.metadata
    import re
    import tomllib

    imported: set[str] = set()
    for path in (ROOT / "book").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    distributions = importlib.metadata.packages_distributions()
    needed = {distributions[name][0].lower() for name in imported
              if name not in sys.stdlib_module_names and name != "book"}
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0].lower() for d in declared}
    assert names == needed
