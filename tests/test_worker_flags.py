"""What the workers add below temporalio's usual surface (worker.py), pinned here.

The one private SDK name (`single_batch`): if temporalio renames or renumbers it, this fails
here and not as a nondeterminism in production. The flag's number is written into every history
(`langUsedFlags`), so it may never change meaning; that the workers really write it is checked
on the dev server (tests/test_cold_start.py) and in the recorded histories (tests/test_replay.py).
And the runner wrapper `FreshTasksOnly`, on activations as Core hands them over."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import temporalio
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker, WorkflowInstance
from temporalio.worker import _workflow_instance as instance

from case_store.db import Pool
from desk.reading import CASE_NOT_READY
from tests.support.desk import CONVERTER
from worker import (
    LEGACY_QUERY,
    SINGLE_BATCH,
    FreshTasksOnly,
    _FreshTasksInstance,
    build_replayer,
    build_worker,
)


def test_the_single_batch_flag_is_the_sdks_flag_2() -> None:
    assert (
        SINGLE_BATCH is instance._WorkflowLogicFlag.PROCESS_WORKFLOW_ACTIVATION_JOBS_AS_SINGLE_BATCH
    )
    assert int(SINGLE_BATCH) == 2


def test_workers_and_replayers_still_take_default_logic_flags() -> None:
    for target in (Worker, Replayer):
        setter = target._set_default_workflow_logic_flag
        assert list(inspect.signature(setter).parameters) == ["self", "flag", "enabled"]
    assert SINGLE_BATCH in build_replayer(CONVERTER)._default_workflow_logic_flags


def test_activations_still_have_both_modes() -> None:
    """The SDK still reads the flag when it applies an activation: with it, every job before
    the workflow runs; without it (histories written before), the legacy order."""
    source = inspect.getsource(instance._WorkflowInstanceImpl.activate)
    assert "PROCESS_WORKFLOW_ACTIVATION_JOBS_AS_SINGLE_BATCH" in source
    assert temporalio.__version__.startswith("1.35."), (
        "a new temporalio: check whether single batch became its default (then worker.py's "
        "`single_batch` can go) and that the flag still means what it meant"
    )


# ---- FreshTasksOnly: no task answered with commands made outside a task ---------------------


class Recorded(WorkflowInstance):
    """Stands in for the sandboxed instance: answers every activation successfully."""

    def __init__(self) -> None:
        self.seen: list[set[str]] = []

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        self.seen.append({job.WhichOneof("variant") or "" for job in act.jobs})
        done = WorkflowActivationCompletion(run_id=act.run_id)
        done.successful.SetInParent()
        return done

    def get_serialization_context(self, command_info: Any) -> Any:
        return None

    def get_external_store_context(self, command_info: Any) -> Any:
        return None

    def get_info(self) -> Any:
        return None


def activation(at: int, *jobs: str, replaying: bool = False) -> WorkflowActivation:
    act = WorkflowActivation(run_id="r", is_replaying=replaying)
    act.timestamp.FromSeconds(at)
    for job in jobs:
        added = act.jobs.add()
        getattr(added, job).SetInParent()
        if job == "query_workflow":
            added.query_workflow.query_id = LEGACY_QUERY  # a query task of its own
    return act


def test_a_query_after_events_run_at_the_last_tasks_time_is_refused() -> None:
    """A worker without the case replays it for a query (times 10, 20), then runs a timer that
    fired since at 20, the last task's time: the query after it is refused, not answered."""
    inner = Recorded()
    case = _FreshTasksInstance(inner)
    case.activate(activation(10, "initialize_workflow", replaying=True))
    case.activate(activation(20, "resolve_activity", replaying=True))
    case.activate(activation(20, "fire_timer"))
    refused = case.activate(activation(20, "query_workflow", replaying=True))
    assert refused.HasField("failed") and refused.failed.failure.message == CASE_NOT_READY
    assert {"query_workflow"} not in inner.seen
    case.activate(activation(20, "remove_from_cache"))  # Core drops the case
    assert inner.seen[-1] == {"remove_from_cache"}


def test_queries_after_real_tasks_or_a_plain_replay_are_answered() -> None:
    inner = Recorded()
    case = _FreshTasksInstance(inner)
    case.activate(activation(10, "initialize_workflow", replaying=True))
    assert case.activate(activation(10, "query_workflow", replaying=True)).HasField("successful")
    case.activate(activation(30, "fire_timer"))  # a real task: its own, later time
    assert case.activate(activation(30, "query_workflow", replaying=True)).HasField("successful")
    case.activate(activation(40, "signal_workflow", "fire_timer"))
    assert case.activate(activation(40, "query_workflow")).HasField("successful")


def test_a_query_that_came_with_a_task_is_never_refused() -> None:
    """Refusing it would fail the task: only a query task of its own is refused."""
    case = _FreshTasksInstance(Recorded())
    case.activate(activation(10, "initialize_workflow", replaying=True))
    case.activate(activation(10, "signal_workflow"))
    with_task = activation(10, "query_workflow")
    with_task.jobs[0].query_workflow.query_id = "q-1"
    assert case.activate(with_task).HasField("successful")


async def test_workers_are_built_with_the_guard(env: WorkflowEnvironment, pool: Pool) -> None:
    worker = build_worker(env.client, pool, role="workflows")
    runner = worker._workflow_worker._workflow_runner  # type: ignore[union-attr]
    assert isinstance(runner, FreshTasksOnly)


def test_core_still_names_a_query_task_of_its_own_so() -> None:
    """The id `FreshTasksOnly` looks for, in the Core source temporalio ships."""
    source = (
        Path(temporalio.__file__).parent
        / "bridge/sdk-core/crates/sdk-core/src/worker/workflow/mod.rs"
    )
    assert f'LEGACY_QUERY_ID: &str = "{LEGACY_QUERY}"' in source.read_text(encoding="utf-8")
