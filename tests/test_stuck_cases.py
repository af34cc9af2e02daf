"""The watchdog for stuck cases, on the real dev server: a case whose workflow task keeps failing
(forced here by a test-only interceptor, the stand-in for a bad build) is found by one sweep with
its complaint id, alerted once per episode, counted, flagged by `list` and `show`; with the
cause fixed, `repair` resets it to its last good task and the case moves on — the customer's
message kept, the deadline that fell due while it was stuck recorded."""

from __future__ import annotations

import asyncio
import os
import subprocess
from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities.stuck_cases import find_stuck
from case_store.db import Pool
from case_store.stuck_cases import STUCK_NOW
from encryption.keys import KEYS_ENV
from schemas import CaseSnapshot, DeadlineKind, EntryKind
from schemas.stuck_cases import REPORTED_PROBLEMS, StuckCase, WatchdogPolicy
from starter import list_cases, repair
from starter.cli import _parser
from starter.local import REPORTED_PROBLEMS_AFTER, installed_binary
from tests.support.desk import TEST_KEYS, Desk, eventually
from tests.support.stuck import MESSAGE, POLICY, RESPOND_IN, SWEEP, one_case_stuck, sweep
from worker import build_worker
from workflows.complaint import workflow_id_for

pytestmark = [
    pytest.mark.devserver,
    # Flag a run at its first failed workflow task, so a test need not wait out retries.
    pytest.mark.dev_server_config({REPORTED_PROBLEMS_AFTER: 1}),
]


async def command(env: WorkflowEnvironment, *args: str) -> tuple[int, str]:
    """`complaint-desk …` as an operator runs it, against this dev server."""
    process = await asyncio.create_subprocess_exec(
        installed_binary("complaint-desk"),
        *args,
        env={
            **os.environ,
            "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
            KEYS_ENV: TEST_KEYS.render(),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode()


def _list_args(*flags: str) -> Any:
    return _parser().parse_args(["list", *flags])


async def test_a_stuck_case_is_found_alerted_and_repaired(
    dev_env: WorkflowEnvironment, pool: Pool
) -> None:
    client = dev_env.client
    async with one_case_stuck(dev_env, pool) as (desk, stuck_id, healthy):
        # Wait on the thing the watchdog reads: Temporal's own flag on the failing run.
        flagged = f'WorkflowId = "{workflow_id_for(stuck_id)}" AND {REPORTED_PROBLEMS}'

        async def listed() -> bool | None:
            return True if [w async for w in client.list_workflows(flagged)] else None

        await eventually(listed, seconds=30)
        found = await sweep(desk)
        assert [c.complaint_id for c in found] == [stuck_id]
        case = found[0]
        assert case.attempts >= 2 and case.reset_to is not None
        assert case.cause == "workflow_worker_unhandled_failure"

        # One alert for the episode, in the store, with the complaint id and no personal data.
        alerts = await pool.fetch("SELECT * FROM alerts WHERE kind = 'stuck'")
        assert [(a["key"], a["complaint_ids"]) for a in alerts] == [(case.key, [stuck_id])]
        assert await pool.fetchval(STUCK_NOW) == 1
        # Supervisors told once, however many sweeps see it.
        assert [c.complaint_id for c in await sweep(desk)] == [stuck_id]
        told = await pool.fetch("SELECT * FROM notification_outbox WHERE topic = 'alert_stuck'")
        assert [(t["complaint_id"], t["audience"]) for t in told] == [(stuck_id, "supervisor")]
        assert stuck_id in told[0]["body"] and "repair" in told[0]["body"]
        assert "王小明" not in told[0]["body"] and "漏水" not in told[0]["body"]

        # Any server: describing every open case finds the same one.
        scanned = await find_stuck(client, WatchdogPolicy(failed_tasks=1, scan_all=True))
        assert [c.complaint_id for c in scanned] == [stuck_id]

        # `list` flags it; `show` says so (its live state cannot be queried meanwhile).
        rows = await list_cases.found(client, list_cases.case_query(_list_args("--stuck")), 10)
        assert [r["case"] for r in rows] == [stuck_id] and rows[0]["stuck"] is True
        code, table = await command(dev_env, "list")
        assert code == 0 and table.splitlines()[-1].endswith(f"then `repair`): {stuck_id}")
        code, shown = await command(dev_env, "show", stuck_id)
        assert code == 6 and shown.startswith("STUCK for ") and f"repair {stuck_id}" in shown
        code, planned = await command(
            dev_env, "repair", stuck_id, "--by", "ops-li", "--reason", "fix deployed", "--dry-run"
        )
        assert code == 0 and f"would reset run {case.run_id} to event {case.reset_to}" in planned

        # The respond deadline falls due while the case is stuck: nothing records it yet.
        await eventually(lambda: _past(desk, case, RESPOND_IN), seconds=30)

    # The fix: the bad build is gone; repair, then the fixed build takes over.
    with pytest.raises(repair.NotRepairable):
        await repair.repair(client, healthy, by="ops-li", reason="not stuck")
    code, repaired = await command(
        dev_env, "repair", stuck_id, "--by", "ops-li", "--reason", "fix deployed"
    )
    assert code == 0 and f"reset to event {case.reset_to}" in repaired
    old = await client.get_workflow_handle(case.workflow_id, run_id=case.run_id).describe()
    assert old.status is WorkflowExecutionStatus.TERMINATED

    async with build_worker(
        client, pool, policy=POLICY, watchdog=SWEEP, task_queue=desk.api.task_queue
    ):
        moved = await desk.until(stuck_id, _respond_breached, seconds=30)
        assert moved.stage.value == "investigate"
        timeline = await desk.api.timeline(stuck_id)
        messages = [e.summary for e in timeline if e.kind is EntryKind.CUSTOMER_MESSAGE]
        assert MESSAGE in messages  # the message sent while stuck is kept
        assert await sweep(desk) == []
        assert await pool.fetchval(STUCK_NOW) == 0  # the episode is closed
        with pytest.raises(repair.NotRepairable, match="is not stuck"):  # a second repair
            await repair.repair(client, stuck_id, by="ops-li", reason="again")


def _respond_breached(snapshot: CaseSnapshot) -> bool:
    return any(d.breached_at for d in snapshot.deadlines if d.kind is DeadlineKind.RESPOND)


async def _past(desk: Desk, case: StuckCase, delay: timedelta) -> bool | None:
    return True if await desk.now() > case.since + delay else None
