"""Imports point down the layers and never close a cycle (docs/architecture.md).

    cli -> (bench | publish | board) -> submission -> local -> shared -> curriculum

bench, publish and board are peers that never import each other; the shared utilities
are the top-level modules (jsonio, fetch, errors, clock, ...). Every import counts,
including the ones inside functions.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = "tinytorch_board"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE

# Packages and the height of their layer; any other top-level module is a shared utility.
LAYERS = {
    "__main__": 6,
    "cli": 5,
    "bench": 4,
    "publish": 4,
    "board": 4,
    "submission": 3,
    "local": 2,
    "shared": 1,
    "curriculum": 0,
}


def group_of(module: str) -> str:
    """The layer group of a dotted module name inside the package."""
    parts = module.split(".")
    if len(parts) == 1:  # the package itself (__version__)
        return "shared"
    return parts[1] if parts[1] in LAYERS else "shared"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    base = ROOT.parent.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module of ours that `source` imports, at any depth (functions included)."""
    found = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if _is_module(child) else base)
    return {name for name in found if name == PACKAGE or name.startswith(PACKAGE + ".")}


@cache
def _scanned() -> tuple[tuple[str, frozenset[str]], ...]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        name = module_name(path)
        source = path.read_text(encoding="utf-8")
        out.append((name, frozenset(imports_of(source, name, path.name == "__init__.py") - {name})))
    return tuple(out)


def import_graph() -> dict[str, set[str]]:
    """module -> the modules of ours it imports (a fresh copy, safe to change)."""
    return {name: set(targets) for name, targets in _scanned()}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports that point up a layer or sideways to a peer package."""
    problems = []
    for module, targets in sorted(graph.items()):
        mine = group_of(module)
        for target in sorted(targets):
            theirs = group_of(target)
            if theirs == mine:
                continue
            if LAYERS[theirs] >= LAYERS[mine]:
                side = "a peer" if LAYERS[theirs] == LAYERS[mine] else "a higher layer"
                problems.append(f"{module} imports {target} ({side}: {theirs}/)")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_has_a_layer():
    graph = import_graph()
    assert len(graph) > 40
    assert all(group_of(name) in LAYERS for name in graph)


def test_imports_point_down_only():
    assert upward_imports(import_graph()) == []


def test_no_import_cycles():
    assert cycles(import_graph()) == []


# The checker itself, on the violations this layering removed: each one must be caught.
@pytest.mark.parametrize(
    ("module", "target"),
    [
        ("tinytorch_board.local.community", "tinytorch_board.publish.outbox"),
        ("tinytorch_board.local.community", "tinytorch_board.board.standing"),
        ("tinytorch_board.local.profile", "tinytorch_board.submission.builder"),
        ("tinytorch_board.jsonio", "tinytorch_board.local.project"),
        ("tinytorch_board.board.stats", "tinytorch_board.publish.outbox"),
        ("tinytorch_board.publish.prepare", "tinytorch_board.board.model"),
        ("tinytorch_board.submission.badges", "tinytorch_board.board.load"),
        ("tinytorch_board.board.load", "tinytorch_board.cli"),
        ("tinytorch_board.curriculum", "tinytorch_board.errors"),
    ],
)
def test_an_upward_import_is_caught(module, target):
    graph = import_graph()
    graph[module] = graph[module] | {target}
    problems = upward_imports(graph)
    assert len(problems) == 1 and problems[0].startswith(f"{module} imports {target} (")


def test_imports_may_skip_layers_downwards():
    graph = import_graph()
    graph["tinytorch_board.cli.board"] |= {"tinytorch_board.curriculum", "tinytorch_board.jsonio"}
    graph["tinytorch_board.submission.validator"] |= {"tinytorch_board.local.config"}
    assert upward_imports(graph) == []


@pytest.mark.parametrize(
    ("module", "target"),
    [
        ("tinytorch_board.board.site.build", "tinytorch_board.board.render"),
        ("tinytorch_board.bench.backends", "tinytorch_board.bench.student"),
    ],
)
def test_a_cycle_is_caught(module, target):
    graph = import_graph()
    assert module not in {m for cycle in cycles(graph) for m in cycle}
    graph[module] = graph[module] | {target}
    assert [c for c in cycles(graph) if module in c and target in c]


def test_imports_inside_functions_count():
    source = (
        "import json\n"
        "from tinytorch_board.errors import BoardError\n"
        "def later():\n"
        "    from tinytorch_board.publish.outbox import list_records\n"
        "    from tinytorch_board.board import distribution\n"
        "    from tinytorch_board.submission import MAX_FILE_BYTES\n"
        "    from . import progress\n"
    )
    found = imports_of(source, "tinytorch_board.local.community")
    assert found == {
        "tinytorch_board.errors",
        "tinytorch_board.publish.outbox",
        "tinytorch_board.board",  # no board/distribution.py any more: the package
        "tinytorch_board.submission",
        "tinytorch_board.local.progress",
    }
    graph = {"tinytorch_board.local.community": found}
    assert len(upward_imports(graph)) == 3
