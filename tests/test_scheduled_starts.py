"""Forged starts of the scheduled workflows through the real door (issue 23, item 1): the plain
`temporal` CLI, without the codec, against the dev server as `./dev up` runs it.

The alert sweep and the watchdog take their thresholds from the worker, never from a start: a
start that carries a policy (a concentration threshold of 1 would raise every open case's risk
to high) is refused at once, with the reason the plain CLI shows, and nothing is written,
signalled or sent. A schedule made before this by an older setup is given a bare start.
"""

from __future__ import annotations

import json
import uuid

import pytest
from temporalio.client import Schedule, ScheduleActionStartWorkflow, ScheduleState
from temporalio.testing import WorkflowEnvironment

from schemas import RiskLevel
from starter.schedules import STUCK_CASES, ensure_schedules, schedules
from tests.support.desk import Desk
from tests.support.integrity import refused_start, stored_quietly
from tests.support.temporal_cli import run, succeeded

pytestmark = pytest.mark.devserver

FORGED_ALERTS = {"concentration_above": 1, "keywords": []}
FORGED_WATCHDOG = {"failed_tasks": 1, "scan_all": True}


@pytest.fixture
def env(dev_env: WorkflowEnvironment) -> WorkflowEnvironment:
    return dev_env


def forged_start(desk: Desk, workflow_type: str, workflow_id: str, policy: object) -> list[str]:
    return [
        *("workflow", "start", "--type", workflow_type, "--task-queue", desk.api.task_queue),
        *("--workflow-id", workflow_id, "--input", json.dumps(policy)),
    ]


async def test_a_forged_alert_sweep_is_refused_and_no_case_risk_changes(desk: Desk) -> None:
    cases = [await desk.open(product="WM-9") for _ in range(2)]  # a "concentration" of 2
    before = [(await stored_quietly(desk, c), await desk.api.snapshot(c)) for c in cases]
    alerts = await desk.pool.fetchval("SELECT count(*) FROM alerts")
    told = await desk.pool.fetchval("SELECT count(*) FROM notification_outbox")

    workflow_id = f"forged-sweep-{uuid.uuid4().hex[:8]}"
    cli = forged_start(desk, "AlertSweep", workflow_id, FORGED_ALERTS)
    reason = await refused_start(desk, workflow_id, *cli)
    assert f"{workflow_id}: AlertSweep takes no input (1 given)" in reason
    # what an operator without the key reads: the reason, in clear
    code, out, err = await run(desk.env, "workflow", "result", "--workflow-id", workflow_id)
    assert code != 0 and "AlertSweep takes no input" in out + err, (out, err)

    after = [(await stored_quietly(desk, c), await desk.api.snapshot(c)) for c in cases]
    assert after == before
    assert all(snapshot.risk is not RiskLevel.HIGH for _, snapshot in after)
    assert await desk.pool.fetchval("SELECT count(*) FROM alerts") == alerts
    assert await desk.pool.fetchval("SELECT count(*) FROM notification_outbox") == told
    history = await succeeded(
        desk.env, "workflow", "show", "--workflow-id", workflow_id, "--output", "json"
    )
    assert "ActivityTaskScheduled" not in history and "SignalExternal" not in history


async def test_a_forged_watchdog_start_is_refused(desk: Desk) -> None:
    workflow_id = f"forged-watchdog-{uuid.uuid4().hex[:8]}"
    cli = forged_start(desk, "StuckCaseWatchdog", workflow_id, FORGED_WATCHDOG)
    reason = await refused_start(desk, workflow_id, *cli)
    assert f"{workflow_id}: StuckCaseWatchdog takes no input (1 given)" in reason
    assert await desk.pool.fetchval("SELECT count(*) FROM alerts WHERE kind = 'stuck'") == 0


async def test_setup_gives_an_older_schedule_a_start_without_input(
    dev_env: WorkflowEnvironment,
) -> None:
    """A schedule made by an older setup started the watchdog with its policy, which the
    workflow now refuses: setup gives it today's action and keeps what an operator set."""
    queue = f"schedules-{uuid.uuid4().hex[:6]}"
    today = schedules(task_queue=queue)[STUCK_CASES]
    older = Schedule(
        action=ScheduleActionStartWorkflow(
            "StuckCaseWatchdog", FORGED_WATCHDOG, id=STUCK_CASES, task_queue=queue
        ),
        spec=today.spec,
        policy=today.policy,
        state=ScheduleState(paused=True, note="paused by ops-li"),
    )
    await dev_env.client.create_schedule(STUCK_CASES, older)
    created = await ensure_schedules(dev_env.client, task_queue=queue)
    assert STUCK_CASES not in created
    described = (await dev_env.client.get_schedule_handle(STUCK_CASES).describe()).schedule
    assert isinstance(described.action, ScheduleActionStartWorkflow)
    assert described.action.workflow == "StuckCaseWatchdog" and list(described.action.args) == []
    assert described.state.paused and described.state.note == "paused by ops-li"
    for schedule_id in [*created, STUCK_CASES]:
        await dev_env.client.get_schedule_handle(schedule_id).delete()
