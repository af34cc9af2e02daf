"""A case stuck on a bad build: its workflow task fails at every attempt, while another case on
the same build carries on; and one run of the watchdog that finds it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from temporalio import workflow
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
from schemas.stuck_cases import StuckCase, WatchdogPolicy
from tests.support.desk import Desk, responding_within
from worker import build_worker
from workflows.complaint import workflow_id_for
from workflows.watchdog import StuckCaseWatchdogWorkflow

RESPOND_IN = timedelta(seconds=6)
POLICY = responding_within(DEFAULT_POLICY, RESPOND_IN, version="stuck-fast")
SWEEP = WatchdogPolicy(failed_tasks=1)  # the workers' here: stuck at the first failed task


class BadBuild(Interceptor):
    """A build with a bug that one case hits: its handling of a customer's message raises, so
    every attempt of that workflow task fails (the SDK retries it forever)."""

    def __init__(self, complaint_id: str) -> None:
        self.workflow_id = workflow_id_for(complaint_id)

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        marked = self.workflow_id

        class Inbound(WorkflowInboundInterceptor):
            async def handle_signal(self, input: HandleSignalInput) -> None:
                if workflow.info().workflow_id == marked and input.signal == "customer_reply":
                    raise RuntimeError("bug in this build: cannot handle a customer's message")
                await super().handle_signal(input)

        return Inbound


async def sweep(desk: Desk) -> list[StuckCase]:
    """One run of the scheduled watchdog, as its schedule starts it: with no input."""
    return await desk.api.client.execute_workflow(
        StuckCaseWatchdogWorkflow.run,
        id=f"watchdog-{uuid.uuid4().hex[:6]}",
        task_queue=desk.api.task_queue,
    )


MESSAGE = "还是漏水，请尽快处理"  # what the customer writes; the bad build cannot handle it


@asynccontextmanager
async def one_case_stuck(
    env: WorkflowEnvironment, pool: Pool
) -> AsyncIterator[tuple[Desk, str, str]]:
    """Two cases on the bad build, both written to by their customers: one hits the bug and is
    stuck, the other carries on. Yields the desk, the stuck case and the healthy one."""
    queue = f"stuck-{uuid.uuid4().hex[:8]}"
    desk = Desk(api=ComplaintDesk(env.client, task_queue=queue), env=env, pool=pool)
    stuck_id = f"C-STUCK-{uuid.uuid4().hex[:6]}"
    async with build_worker(
        env.client,
        pool,
        policy=POLICY,
        watchdog=SWEEP,
        task_queue=queue,
        interceptors=[BadBuild(stuck_id)],
    ):
        healthy = await desk.open()
        await desk.open(complaint_id=stuck_id)
        await desk.api.reply(stuck_id, {"text": MESSAGE})
        await desk.api.reply(healthy, {"text": "谢谢"})
        yield desk, stuck_id, healthy
