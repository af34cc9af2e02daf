"""Alerts (R-RP-2): spike and concentration fire exactly once at their thresholds and not below
them; a concentration raises the risk of the open cases it covers; supervisors are told once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from case_store import alerts
from case_store.db import Pool
from case_store.fixtures import insert_complaints
from desk.service import ComplaintDesk
from schemas import RiskLevel
from schemas.alerts import Alert, AlertKind, AlertPolicy
from schemas.refusals import Refusal, RefusalCode
from tests.support.desk import ROUND_THE_CLOCK, Desk, eventually
from worker import build_worker
from workflows.alert_sweep import AlertSweepWorkflow

AT = datetime(2026, 11, 23, 12, tzinfo=UTC)
POLICY = AlertPolicy(spike_at_least=1_000_000)


async def sweep(pool: Pool, at: datetime = AT) -> list[tuple[AlertKind, str, int]]:
    """Concentration and keywords; spikes are tested with their own windows below."""
    async with pool.acquire() as connection:
        found = await alerts.detect(connection, at, POLICY)
        return [(a.kind, a.subject, a.count) for a in found if await alerts.record(connection, a)]


async def many(pool: Pool, count: int, start: datetime, span: timedelta, prefix: str) -> None:
    async with pool.acquire() as connection:  # all on product P-0
        await insert_complaints(
            connection, count, products=1, start=start, span=span, prefix=prefix
        )


async def test_concentration_fires_above_fifty_in_three_hours_and_only_once(pool: Pool) -> None:
    await many(pool, 50, AT - timedelta(hours=3), timedelta(hours=3), "A")
    assert [k for k, _, _ in await sweep(pool)] == []  # 50 is not above 50
    await many(pool, 1, AT - timedelta(minutes=1), timedelta(minutes=1), "B")
    assert await sweep(pool) == [(AlertKind.CONCENTRATION, "product P-0", 51)]
    assert await sweep(pool) == [(AlertKind.CONCENTRATION, "product P-0", 51)]  # a retry: itself
    later = AT + timedelta(minutes=5)
    assert await sweep(pool, later) == []  # the same episode, five minutes on: nothing new


async def test_a_spike_fires_at_thirty_percent_over_the_window_before(pool: Pool) -> None:
    day = timedelta(hours=24)
    quiet = AlertPolicy(concentration_above=1_000)  # only the spike is under test here
    await many(pool, 10, AT - 2 * day, day, "PREV")
    await many(pool, 12, AT - day, day, "CUR")

    async def spikes(at: datetime) -> list[tuple[str, int, int | None]]:
        async with pool.acquire() as connection:
            found = await alerts.detect(connection, at, quiet)
            return [
                (a.subject, a.count, a.previous)
                for a in found
                if a.kind is AlertKind.SPIKE and await alerts.record(connection, a)
            ]

    assert await spikes(AT) == []  # 12 against 10 is +20%
    await many(pool, 1, AT - timedelta(hours=1), timedelta(hours=1), "MORE")
    assert await spikes(AT) == [("product P-0", 13, 10)]  # +30%
    assert await spikes(AT + timedelta(hours=1)) == []  # the same episode


async def test_a_sensitive_word_is_an_alert(pool: Pool) -> None:
    await pool.execute(
        """INSERT INTO complaint_events VALUES
           ('complaint-K', 0, 'K', $1, 'investigate', 'customer_message', 'customer',
            '再不处理我就找媒体曝光', true)""",
        AT - timedelta(minutes=10),
    )
    assert sorted(await sweep(pool)) == [
        (AlertKind.KEYWORD, "媒体", 1),
        (AlertKind.KEYWORD, "曝光", 1),
    ]


async def test_a_concentration_raises_the_risk_of_its_open_cases(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    # The thresholds are the worker's: the sweep is started as its schedule starts it, bare.
    desk = Desk(
        api=ComplaintDesk(env.client, task_queue=f"alerts-{uuid.uuid4().hex[:8]}"),
        env=env,
        pool=pool,
    )
    async with build_worker(
        env.client,
        pool,
        policy=ROUND_THE_CLOCK,
        alerts=AlertPolicy(concentration_above=2, keywords=[]),
        task_queue=desk.api.task_queue,
    ):
        cases = [
            await desk.open(
                product="WM-9",
                description="洗衣机漏水",
                customer={
                    "name": "王小明",
                    "contact": {"phone": "+86 138 0000 0000"},
                    "account_id": f"U-{i}",
                },
            )
            for i in range(3)
        ]
        for case in cases:
            assert (await desk.api.snapshot(case)).risk is not RiskLevel.HIGH

        async def swept() -> list[Alert] | None:
            raised = await env.client.execute_workflow(
                AlertSweepWorkflow.run,
                id=f"sweep-{desk.api.task_queue}",
                task_queue=desk.api.task_queue,
            )
            return raised or None

        raised = await eventually(swept)  # the store has all three once their projections land
        for case in cases:
            snapshot = await desk.until(case, lambda s: s.risk is RiskLevel.HIGH)
            assert snapshot.escalation_level.value == "supervisor"
        timeline = await desk.api.timeline(cases[0])
        assert any(e.actor == "alerts" and "concentration alert" in e.summary for e in timeline)
        told = await pool.fetch(
            "SELECT key FROM notification_outbox WHERE topic = 'alert_concentration'"
        )
        assert len(raised) == 1 and len(told) == 1


async def test_a_sweep_started_with_thresholds_is_refused_and_raises_nothing(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    """Anyone who can start a workflow could otherwise lower the thresholds and raise every
    open case's risk; the worker's defaults see no concentration in one case."""
    desk = Desk(
        api=ComplaintDesk(env.client, task_queue=f"alerts-{uuid.uuid4().hex[:8]}"),
        env=env,
        pool=pool,
    )
    async with build_worker(
        env.client, pool, policy=ROUND_THE_CLOCK, task_queue=desk.api.task_queue
    ):
        case = await desk.open(product="WM-9")
        forged = AlertPolicy(concentration_above=1, keywords=[])
        with pytest.raises(WorkflowFailureError) as failed:
            await env.client.execute_workflow(
                AlertSweepWorkflow.run,
                forged,
                id=f"forged-sweep-{desk.api.task_queue}",
                task_queue=desk.api.task_queue,
            )
        cause = failed.value.cause
        assert isinstance(cause, ApplicationError) and cause.type == "InvalidStart"
        assert cause.non_retryable and "takes no input" in cause.message
        assert Refusal.from_details(cause.details[0]) == Refusal(
            RefusalCode.START_TAKES_NO_INPUT,
            {
                "workflow_id": f"forged-sweep-{desk.api.task_queue}",
                "workflow": "AlertSweep",
                "given": 1,
            },
        )
        assert (await desk.api.snapshot(case)).risk is not RiskLevel.HIGH
        assert await pool.fetchval("SELECT count(*) FROM alerts") == 0
