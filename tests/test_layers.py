"""The layers, read from the code's own imports (lazy ones inside functions included).

The doors are on top: the CLI and local runner (`starter/`), the HTTP API (`api/`) and the web
pages (`web/`). Below them `desk/`, the client library every door calls, and below that the
workflows, activities, schemas and stores. A lower module that imported a door would pull the
door's dependencies into the worker and tie the layers into a knot (it did: `api/server.py` and
`starter/local.py` imported each other).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOORS = ("starter", "api", "web")
# Whole programs rather than layers: they may import anything.
OUTSIDE = {"tests", "bench", ".venv", "var", "docs", "examples"}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[0] in OUTSIDE or parts[0].startswith("."):
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project's modules this one imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    named: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            named |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                )
                base = base.strip(".")
            named.add(base)
            named |= {f"{base}.{alias.name}" for alias in node.names}
    return {module for module in named if module in MODULES}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _top(module: str) -> str:
    return module.split(".")[0]


def test_no_lower_module_imports_a_door() -> None:
    upward = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _top(target) in DOORS and _top(module) not in DOORS
    ]
    assert upward == []


def test_the_api_and_the_pages_do_not_import_the_cli_or_the_local_runner() -> None:
    upward = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _top(module) in ("api", "web") and _top(target) == "starter"
    ]
    assert upward == []


def test_the_desk_imports_no_door_and_no_channel() -> None:
    above = {*DOORS, "delivery", "worker"}
    wrong = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _top(module) == "desk"
        for target in targets
        if _top(target) in above
    ]
    assert wrong == []


def test_no_import_cycle_through_the_doors_or_the_desk() -> None:
    """Every cycle among the modules of the doors and the desk, found by depth-first search."""
    inside = {m for m in GRAPH if _top(m) in (*DOORS, "desk")}
    edges = {m: {t for t in GRAPH[m] if t in inside and t != m} for m in inside}
    state: dict[str, int] = defaultdict(int)  # 0 unseen, 1 on the path, 2 done
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges[module]):
            if state[target] == 1:
                cycles.append([*path[path.index(target) :], target])
            elif state[target] == 0:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(inside):
        if state[module] == 0:
            visit(module, [module])
    # A package's __init__ re-exporting its own modules is no cycle between layers.
    cycles = [c for c in cycles if len({_top(m) for m in c}) > 1 or len(c) > 2]
    assert cycles == []


def test_temporal_errors_are_unwrapped_in_the_desk_only() -> None:
    """Every door and channel says what the desk answered (`desk.errors`), never Temporal's
    errors: the rules of what an error means live in one place."""
    temporal = ("WorkflowUpdateFailedError", "RPCError", "WorkflowAlreadyStartedError")
    found = [
        f"{name} names {error}"
        for name, path in MODULES.items()
        if _top(name) in (*DOORS, "delivery")
        for error in temporal
        if error in path.read_text(encoding="utf-8")
    ]
    assert found == []
