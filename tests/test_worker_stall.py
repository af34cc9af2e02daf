"""A worker that stops taking workflow tasks is noticed (docs/operating.md, "A worker that
stops taking workflow tasks").

Under a burst of new cases on a loaded machine the bench worker once stopped polling its
workflow task queue: hundreds of tasks waiting, the process idle, nothing logged. Here the same
picture is forced on a real dev server: a worker with two workflow-task slots, two cases whose
activations never finish (so their slots are never given back), and a third case whose first
task then waits with no worker asking for it. The watchdog every complaint worker runs must
report it; `run_worker` then exits to be restarted.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from case_store.db import Pool
from desk.service import ComplaintDesk
from schemas import DEFAULT_POLICY
from tests.support.desk import intake
from worker import Stall, build_worker, stalled
from workflows.complaint import workflow_id_for

pytestmark = pytest.mark.devserver

POLICY = DEFAULT_POLICY.model_copy(update={"quiet_hours": None})


class Wedging(WorkflowRunner):
    """The sandbox, except that the named cases' activations hang until `release` is set: a
    workflow task that never finishes, whatever the cause."""

    def __init__(self, wedged: set[str]) -> None:
        self._inner = SandboxedWorkflowRunner()
        self.wedged = wedged
        self.release = threading.Event()

    def prepare_workflow(self, defn: Any) -> None:
        self._inner.prepare_workflow(defn)

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        inner = self._inner.create_instance(det)
        if det.info.workflow_id not in self.wedged:
            return inner
        return _Hanging(inner, self.release)

    def set_worker_level_failure_exception_types(self, types: Any) -> None:
        self._inner.set_worker_level_failure_exception_types(types)


class _Hanging(WorkflowInstance):
    def __init__(self, inner: WorkflowInstance, release: threading.Event) -> None:
        self._inner = inner
        self._release = release

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        self._release.wait()
        return self._inner.activate(act)

    def get_serialization_context(self, command_info: Any) -> Any:
        return self._inner.get_serialization_context(command_info)

    def get_external_store_context(self, command_info: Any) -> Any:
        return self._inner.get_external_store_context(command_info)

    def get_info(self) -> Any:
        return self._inner.get_info()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.fixture
async def wedged_worker(
    dev_env: WorkflowEnvironment, pool: Pool
) -> AsyncIterator[tuple[ComplaintDesk, Wedging]]:
    desk = ComplaintDesk(dev_env.client, task_queue=f"complaints-{uuid.uuid4().hex[:8]}")
    runner = Wedging(set())
    worker = build_worker(
        dev_env.client,
        pool,
        policy=POLICY,
        task_queue=desk.task_queue,
        max_concurrent_workflow_tasks=2,
        max_cached_workflows=2,
        workflow_runner=runner,
    )
    try:
        async with worker:
            yield desk, runner
            runner.release.set()  # the hung activations end, so the worker can shut down
    finally:
        runner.release.set()


def watch(desk: ComplaintDesk, **progress: Callable[[], int]) -> Coroutine[Any, Any, Stall]:
    """The worker's watchdog on the test's queue, on a clock of seconds instead of minutes."""
    return stalled(
        desk.client,
        desk.task_queue,
        after=timedelta(seconds=3),
        every=timedelta(seconds=0.5),
        **progress,
    )


async def two_slots_held_and_a_case_waiting(desk: ComplaintDesk, runner: Wedging) -> None:
    """Two cases whose first activations never finish hold both slots; a third case waits."""
    now = datetime.now(UTC)
    hung = [f"C-hung-{n}-{uuid.uuid4().hex[:6]}" for n in range(2)]
    runner.wedged.update(workflow_id_for(c) for c in hung)
    for complaint_id in hung:
        await desk.start(intake(complaint_id, now))
    await desk.start(intake(f"C-waiting-{uuid.uuid4().hex[:6]}", now))


async def test_a_worker_whose_slots_never_come_back_is_reported_stalled(
    wedged_worker: tuple[ComplaintDesk, Wedging],
) -> None:
    await two_slots_held_and_a_case_waiting(*wedged_worker)
    desk, _ = wedged_worker

    stall = await asyncio.wait_for(
        watch(desk),
        timeout=90,
    )

    assert stall.backlog >= 1
    assert stall.idle >= timedelta(seconds=3)


async def test_a_worker_taking_its_tasks_is_not_reported(
    wedged_worker: tuple[ComplaintDesk, Wedging],
) -> None:
    desk, _ = wedged_worker
    now = datetime.now(UTC)
    for n in range(3):
        await desk.start(intake(f"C-fine-{n}-{uuid.uuid4().hex[:6]}", now))

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(
            watch(desk),
            timeout=8,
        )


async def test_a_worker_still_completing_activations_is_not_reported(
    wedged_worker: tuple[ComplaintDesk, Wedging],
) -> None:
    """A worker serving its cases' sticky queues first may leave the task queue unpolled for a
    while: as long as its activations complete, it is working."""
    await two_slots_held_and_a_case_waiting(*wedged_worker)
    desk, _ = wedged_worker
    completed = itertools.count()  # an activation completed at every look

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(
            watch(desk, progress=lambda: next(completed)),
            timeout=8,
        )
