"""Each case's sandbox loads its workflow's own module and nothing more of ours: the rules,
schemas and catalogue are passed through, loaded once per worker process. Loading the rules
afresh for every case (what `from workflows import action_rules` did inside the sandbox) was
a seventh of the worker's CPU in the lifecycle benchmark (docs/benchmarks.md)."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

import pytest
from temporalio import workflow
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from worker import WORKFLOWS

OURS = ("workflows", "schemas", "catalogue", "activities", "grading", "case_store", "encryption")


class Loads(importlib.abc.MetaPathFinder):
    """Notes every module the import system looks for afresh; finds nothing itself."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        self.names.append(fullname)
        return None


@pytest.mark.parametrize("defn", WORKFLOWS, ids=lambda d: d.__name__)
async def test_a_case_sandbox_loads_only_its_workflow_module(defn: type) -> None:
    runner = SandboxedWorkflowRunner()
    loads = Loads()
    sys.meta_path.insert(0, loads)
    try:
        # Preparing a workflow builds one sandboxed instance, as each new case does.
        runner.prepare_workflow(workflow._Definition.must_from_class(defn))
    finally:
        sys.meta_path.remove(loads)
    afresh = {name for name in loads.names if name.split(".")[0] in OURS}
    assert afresh <= {"workflows", defn.__module__}
