"""The watchdog on a server without visibility (the time-skipping test server): candidates
come from the case store's open cases, each described; a stuck case is found in one sweep.
The whole story on the real dev server — Temporal's flag, list, show, repair — is in
test_stuck_cases.py."""

from __future__ import annotations

import uuid

from temporalio.testing import WorkflowEnvironment

from activities.stuck_cases import diagnose
from case_store.db import Pool
from schemas.stuck_cases import WatchdogPolicy
from starter.client import ComplaintDesk
from tests.conftest import Desk, eventually
from tests.test_stuck_cases import POLICY, BadBuild
from worker import build_worker
from workflows.complaint import workflow_id_for
from workflows.watchdog import StuckCaseWatchdogWorkflow


async def test_the_watchdog_finds_a_stuck_case_on_a_server_without_visibility(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    client = env.client
    queue = f"stuck-{uuid.uuid4().hex[:8]}"
    desk = Desk(api=ComplaintDesk(client, task_queue=queue), env=env, pool=pool)
    stuck_id = f"C-STUCK-{uuid.uuid4().hex[:6]}"
    async with build_worker(client, pool, policy=POLICY, task_queue=queue,
                            interceptors=[BadBuild(stuck_id)]):  # fmt: skip
        healthy = await desk.open()
        await desk.open(complaint_id=stuck_id)
        await desk.api.reply(stuck_id, {"text": "还是漏水"})

        async def failing() -> bool | None:  # wait on the thing: its task has failed
            stuck = await diagnose(client, workflow_id_for(stuck_id), read_history=True)
            return True if stuck else None

        await eventually(failing)
        found = await client.execute_workflow(
            StuckCaseWatchdogWorkflow.run, WatchdogPolicy(failed_tasks=1),
            id=f"watchdog-{uuid.uuid4().hex[:6]}", task_queue=queue,
        )  # fmt: skip
        assert [c.complaint_id for c in found] == [stuck_id]
        assert healthy not in [c.complaint_id for c in found]
