"""A workflow activation starved past the SDK's two seconds must not cost the worker a slot
for good (issue 27; docs/operating.md, "A worker that stops taking workflow tasks").

The SDK takes such an activation for a deadlock: it fails the task and evicts the case. Its
wait for the slow activation before the eviction returns at once, so the eviction used to
cancel the case's tasks while the slow activation was still running one of them: a task was
left pending for good, the eviction failed forever, its slot never came back, and the worker
could not even shut down. Here the starvation is made exact on a real dev server: a case's
signal handler is held inside its activation (in the workflow thread, as a starved CPU would
hold it) until the SDK has tried to evict the case, then let go.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import (
    HandleSignalInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from case_store.db import Pool
from desk.service import ComplaintDesk
from schemas import DEFAULT_POLICY
from tests.support.desk import eventually, intake
from worker import build_worker
from workflows.complaint import workflow_id_for

pytestmark = pytest.mark.devserver

POLICY = DEFAULT_POLICY.model_copy(update={"quiet_hours": None})
SDK_LOGGER = "temporalio.worker._workflow"
# What the SDK logs once it has tried to evict the case while its activation is held: the
# eviction failed (it ran beside the activation before the fix, it waits for it now).
EVICTION_TRIED = ("Failed running eviction job", "Timed out running eviction job")


class Starving(Interceptor):
    """Holds the named cases' signal handlers, inside their activation, until `release`."""

    def __init__(self) -> None:
        self.cases: set[str] = set()
        self.release = threading.Event()

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> Any:
        starving = self

        class Held(WorkflowInboundInterceptor):
            async def handle_signal(self, input: HandleSignalInput) -> None:
                if workflow.info().workflow_id in starving.cases:
                    starving.release.wait()
                await self.next.handle_signal(input)

        return Held


class Heard(logging.Handler):
    """Sets `event` when the SDK logs one of `lines`."""

    def __init__(self, lines: tuple[str, ...]) -> None:
        super().__init__(logging.ERROR)
        self.lines = lines
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(self.lines):
            self.event.set()


async def completed_tasks(client: Client, workflow_id: str) -> int | None:
    """How many workflow tasks of the case have completed; None while none has."""
    handle = client.get_workflow_handle(workflow_id)
    kinds = [e.event_type async for e in handle.fetch_history_events()]
    return kinds.count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) or None


async def test_a_starved_activation_gives_its_slot_back(
    dev_env: WorkflowEnvironment, pool: Pool
) -> None:
    client = dev_env.client
    desk = ComplaintDesk(client, task_queue=f"complaints-{uuid.uuid4().hex[:8]}")
    starving = Starving()
    heard = Heard(EVICTION_TRIED)
    logging.getLogger(SDK_LOGGER).addHandler(heard)
    worker = build_worker(
        client,
        pool,
        policy=POLICY,
        task_queue=desk.task_queue,
        max_concurrent_workflow_tasks=2,
        max_cached_workflows=2,
        interceptors=[starving],
    )
    running = asyncio.ensure_future(worker.run())
    now = datetime.now(UTC)
    try:
        slow = workflow_id_for(f"C-slow-{uuid.uuid4().hex[:6]}")
        await desk.start(intake(slow.removeprefix("complaint-"), now))
        before = await eventually(lambda: completed_tasks(client, slow), 60)
        starving.cases.add(slow)
        await client.get_workflow_handle(slow).signal("nudge")
        assert await asyncio.to_thread(heard.event.wait, 60), "the SDK never tried to evict"
        starving.release.set()

        others = [workflow_id_for(f"C-next-{n}-{uuid.uuid4().hex[:6]}") for n in range(4)]
        for workflow_id in others:
            await desk.start(intake(workflow_id.removeprefix("complaint-"), now))

        async def all_going() -> bool | None:
            counts = [await completed_tasks(client, w) for w in others]
            again = (await completed_tasks(client, slow) or 0) > before
            return True if all(counts) and again else None

        await eventually(all_going, 60)
    finally:
        starving.release.set()
        logging.getLogger(SDK_LOGGER).removeHandler(heard)
        try:
            await asyncio.wait_for(worker.shutdown(), 30)
            stopped = True
        except TimeoutError:
            stopped = False
        running.cancel()
    assert stopped, "the worker could not shut down: a case was never evicted"
