"""The watchdog on a server without visibility (the time-skipping test server): candidates
come from the case store's open cases, each described; a stuck case is found in one sweep.
The whole story on the real dev server — Temporal's flag, list, show, repair — is in
test_stuck_cases.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import ScheduleActionStartWorkflow
from temporalio.testing import WorkflowEnvironment

from activities.stuck_cases import diagnose
from case_store.db import Pool
from configuration.settings import load
from schemas.stuck_cases import WatchdogPolicy
from starter.schedules import STUCK_CASES, WatchdogSettings, schedules
from tests.support.desk import eventually
from tests.support.stuck import one_case_stuck, sweep
from worker import watchdog_policy
from workflows.complaint import workflow_id_for


async def test_the_watchdog_finds_a_stuck_case_on_a_server_without_visibility(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    async with one_case_stuck(env, pool) as (desk, stuck_id, healthy):

        async def failing() -> bool | None:  # wait on the thing: its task has failed
            stuck = await diagnose(env.client, workflow_id_for(stuck_id), read_history=True)
            return True if stuck else None

        # Usually at once; about 1 run in 10 (3 of 30 here) the first failed attempt is not reported and
        # shows only when the 10 s workflow task timeout retries it (a timed-out task counts).
        await eventually(failing, seconds=30)
        found = [c.complaint_id for c in await sweep(desk)]
        assert found == [stuck_id] and healthy not in found


def test_the_watchdog_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINT_WATCHDOG_EVERY", "PT2M")
    monkeypatch.setenv("COMPLAINT_WATCHDOG_FAILED_TASKS", "4")
    monkeypatch.setenv("COMPLAINT_CODEC_ALLOWED_HOSTS", "Codec.Example:443, ops.example")
    settings = load()
    schedule = schedules(watchdog=WatchdogSettings.of(settings))[STUCK_CASES]
    assert isinstance(schedule.action, ScheduleActionStartWorkflow)
    assert schedule.spec.intervals[0].every == timedelta(minutes=2)
    # what counts as stuck is the worker's; the schedule's start carries nothing to forge
    assert schedule.action.args == []
    assert watchdog_policy(settings) == WatchdogPolicy(failed_tasks=4)
    assert settings.codec_allowed_hosts == ("codec.example:443", "ops.example")
