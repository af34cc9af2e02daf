"""Briefs and the monthly risk report: the period a schedule covers, what the report says about
a hand-made month (the KPI test's), and that it renders with its charts."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.reports import ReportRequest, build
from case_store.db import Pool
from reports import render
from reports.brief import gather
from reports.periods import ReportKind, last_period
from tests.support.desk import ROUND_THE_CLOCK, running_desk
from tests.support.integrity import failed_tasks
from tests.support.kpis import DEC, NOV, load
from workflows.report import ComplaintReportWorkflow


def utc(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def test_a_schedule_reports_the_period_that_just_ended_in_company_time() -> None:
    monday_8am = utc(2026, 11, 23, 0)  # 08:00 in Shanghai, a Monday
    assert last_period(ReportKind.DAILY, monday_8am) == (
        utc(2026, 11, 21, 16),
        utc(2026, 11, 22, 16),
    )
    assert last_period(ReportKind.WEEKLY, monday_8am) == (
        utc(2026, 11, 15, 16),
        utc(2026, 11, 22, 16),
    )
    first_8am = utc(2026, 12, 1, 0)
    assert last_period(ReportKind.MONTHLY, first_8am) == (
        utc(2026, 10, 31, 16),
        utc(2026, 11, 30, 16),
    )


async def test_the_monthly_report_says_what_the_month_held(pool: Pool) -> None:
    await load(pool)
    await pool.execute(
        """INSERT INTO reviews (complaint_id, round, opened_at, due_at, done_at, done_by, findings,
                               measures) VALUES ('C3', 0, $1, $1, $1, 'qa-li', 'seal', '召回批次7')""",
        datetime(2026, 11, 20, tzinfo=UTC),
    )
    async with pool.acquire() as connection:
        brief = await gather(connection, "Monthly complaint risk report", NOV, DEC)
    assert (brief.total, brief.previous_total) == (8, 1)  # C1-C8; C0 in the month before
    assert brief.change == 7.0
    assert dict(brief.risk) == {"unknown": 8}  # the hand-made rows carry no risk
    assert brief.breached == 0 and len(brief.typical) == 3
    text = render.markdown(brief)
    assert "**8 complaints** (+700% against 1 in the period before)" in text
    assert "| first_response_in_time | 71% | 7 | >= 90% | missed |" in text
    assert "| repeat_complaint_rate | 29% | 7 | < 10% | missed |" in text
    assert "| satisfaction | 3.67 | 3 | - |  |" in text  # no target in the seeds
    assert "- C3: 召回批次7" in text  # measures taken, from the major-event reviews
    page = render.html(brief)
    assert page.count("<svg") == 4  # volume, risk, severity, SLA attainment
    assert re.search(r"<figcaption>SLA attainment \(%\)</figcaption>.*>71<", page)
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")


async def test_a_scheduled_report_is_stored_and_written_once_per_period(
    env: WorkflowEnvironment, pool: Pool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = ReportRequest(kind=ReportKind.MONTHLY, start=NOV, end=DEC)
    key, _ = await build(pool, tmp_path, request)
    assert (key, 0) == await build(pool, tmp_path, request)  # a re-run rewrites, never duplicates
    assert await pool.fetchval("SELECT count(*) FROM reports") == 1
    written = await asyncio.to_thread(lambda: {p.suffix for p in tmp_path.iterdir()})
    assert written == {".md", ".html"}

    scheduled = tmp_path / "scheduled"
    async with running_desk(env.client, env, pool, ROUND_THE_CLOCK, "report", scheduled) as desk:
        daily = await env.client.execute_workflow(
            ComplaintReportWorkflow.run,
            ReportKind.DAILY,
            id="report-daily",
            task_queue=desk.api.task_queue,
        )
    assert daily.startswith("daily-")
    assert await asyncio.to_thread((tmp_path / "scheduled" / f"{daily}.html").exists)
    assert await pool.fetchval("SELECT kind FROM reports WHERE key = $1", daily) == "daily"


async def test_a_forged_or_repeated_report_start_writes_no_second_report(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    """The kind is the only input, and an enum: a start by anyone builds what the schedule
    would, under the same key; anything else fails the run at once, not its task."""
    with env.auto_time_skipping_disabled():  # both starts in the same week
        async with running_desk(env.client, env, pool, ROUND_THE_CLOCK, "report") as desk:

            async def started(*args: object, id: str) -> str:
                result: str = await env.client.execute_workflow(
                    "ComplaintReport", args=list(args), id=id, task_queue=desk.api.task_queue
                )
                return result

            async def refused(*args: object, id: str) -> ApplicationError:
                with pytest.raises(WorkflowFailureError) as failed:
                    await started(*args, id=id)
                assert await failed_tasks(env.client.get_workflow_handle(id)) == 0
                assert isinstance(failed.value.cause, ApplicationError)
                return failed.value.cause

            scheduled = await started(ReportKind.WEEKLY, id="complaint-report-weekly")
            assert await started("weekly", id="someone-else") == scheduled
            for forged in (["weekly", {"start": "2020-01-01T00:00:00Z"}], []):
                reason = await refused(*forged, id=f"forged-{len(forged)}")
                assert reason.type == "InvalidStart" and reason.non_retryable
                assert "starts with one input, its kind" in reason.message
            assert (await refused("yearly", id="forged-kind")).type == "ValidationError"
    assert await pool.fetchval("SELECT count(*) FROM reports") == 1
