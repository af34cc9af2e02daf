"""The suite reads as a map: a test module stands on tests/support/ alone, never on another test
module or on conftest (whose fixtures pytest hands out by name), so moving or deleting one test
module breaks no other; and a helper lives in tests/support/, not loose beside the tests."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# Data, not code: recorded histories and the grading set.
DATA = {"histories", "grading"}


def _python_files() -> list[Path]:
    return [
        path
        for path in sorted(TESTS.rglob("*.py"))
        if not DATA & set(path.relative_to(TESTS).parts) and "__pycache__" not in path.parts
    ]


def _imported(path: Path) -> set[str]:
    """Every module `path` imports, lazy imports inside functions included."""
    package = ["tests", *path.relative_to(TESTS).parent.parts]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _is_test_module_or_conftest(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "tests" and (parts[-1].startswith("test_") or parts[-1] == "conftest")


def test_no_module_of_the_suite_imports_a_test_module_or_conftest() -> None:
    offending = {
        str(path.relative_to(TESTS)): sorted(filter(_is_test_module_or_conftest, _imported(path)))
        for path in _python_files()
    }
    assert {where: what for where, what in offending.items() if what} == {}


def test_shared_helpers_live_in_the_support_package() -> None:
    loose = [
        path.name
        for path in TESTS.glob("*.py")
        if not path.name.startswith("test_") and path.name not in {"conftest.py", "__init__.py"}
    ]
    assert loose == [], "move shared helpers to tests/support/"
