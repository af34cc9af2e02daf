"""The SLA back-test (issue 28): a case's recorded events replayed under a policy give the
deadlines the workflow gave it — under its own policy exactly what happened, on the pure rules
for any sequence of actions and on the time-skipping server for cases whose agents answer early,
late or never — and under another policy the differences a supervisor reads."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.async_api import expect

from case_store.backtest import recorded_cases
from catalogue import messages
from desk.backtest import BacktestRefused, period, proposed_policy, run_backtest
from reports.backtest import Verdict, backtest, verdict
from reports.periods import ZONE
from schemas import DEFAULT_POLICY, Deadline
from tests.support.cases import T0, actions, apply, classified
from tests.support.cli import run_cli
from tests.support.desk import (
    ROOT,
    ROUND_THE_CLOCK,
    Desk,
    eventually,
    responding_within,
    running_desk,
)
from tests.support.web import chromium, serving, shot, sign_in
from workflows.backtest import RecordedCase, replay
from workflows.case_file import CaseFile

# Policy B: every first response within 2 h (the seed gives L2 24 h).
POLICY_B = responding_within(ROUND_THE_CLOCK, timedelta(hours=2), version="B")


def recorded(case: CaseFile) -> RecordedCase:
    """A case as the store would give it to the back-test."""
    s = case.state
    return RecordedCase(
        complaint_id=s.intake.complaint_id,
        received_at=s.received_at,
        severity=s.severity,
        team="-",
        entries=list(s.timeline),
        deadlines=list(s.deadlines),
    )


def dumped(deadlines: list[Deadline]) -> list[dict[str, Any]]:
    return [d.model_dump() for d in deadlines]


def caught_up(case: CaseFile, now: datetime) -> None:
    """What the workflow's loop does after each action: every alarm already due acts, stamped
    with its own due time (workflows/complaint.py, `_fired`)."""
    while (agenda := case.agenda()) and agenda[0].due_at <= now:
        case.fire_due(agenda[0].due_at)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, max_size=25))
def test_under_its_own_policy_the_replay_gives_every_deadline_exactly_as_it_happened(
    sequence: list[tuple[str, object]],
) -> None:
    case, now = classified(), T0
    for action in sequence:
        if case.state.stage.value == "done":
            break
        # A second apart: an answer at the very instant its deadline falls due is met in the
        # workflow (an activation runs updates before timers), while this harness fires first.
        now = apply(case, action, now + timedelta(seconds=1))
        caught_up(case, now)
    replayed = replay(recorded(case), DEFAULT_POLICY, now)
    assert dumped(replayed.deadlines) == dumped(case.state.deadlines)


def test_a_stricter_policy_breaches_a_response_that_was_in_time() -> None:
    case = classified()  # L2, 24 h to respond under the seed policy
    now = apply(case, ("wait", 3 * 60), T0)
    now = apply(case, ("respond", None), now)
    now = apply(case, ("wait", 60), now)
    report = backtest([recorded(case)], POLICY_B, (date(2026, 11, 23), date(2026, 11, 24)), now)
    assert report.cases == 1
    [change] = report.changes
    assert (change.deadline, change.was, change.becomes) == ("respond", "met", "breached")
    assert change.proposed_due_at == T0 + timedelta(hours=2)
    assert report.actual.breached == 0 and report.proposed.breached == 1
    assert report.proposed.warnings > report.actual.warnings  # B warns at 1.5 h, before the answer
    hour = (T0 + timedelta(hours=2)).astimezone(ZONE).hour
    assert report.breaches_by_hour["proposed"][hour] == 1
    assert sum(report.breaches_by_hour["actual"]) == 0


def test_a_bad_policy_or_period_is_refused_in_words_and_nothing_is_read() -> None:
    with pytest.raises(BacktestRefused) as err:
        proposed_policy('{"version": "x", "targets": {}}')
    assert err.value.key == "backtest.refused.policy_invalid"
    assert "targets missing for severity L1, L2, L3" in err.value.params["problems"]
    with pytest.raises(BacktestRefused) as err:
        proposed_policy("{not json")
    assert err.value.key == "backtest.refused.not_json"
    with pytest.raises(BacktestRefused) as err:
        period(date(2026, 12, 1), date(2026, 11, 1))
    assert err.value.key == "backtest.refused.empty_period"


def test_a_calendar_given_beside_the_policy_counts_its_working_time() -> None:
    text = POLICY_B.model_dump_json()
    working = text.replace('"clock":"calendar"', '"clock":"working"', 1)
    calendar = '{"name": "weekdays", "time_zone": "Asia/Shanghai"}'
    policy = proposed_policy(working, calendar)
    assert policy.calendar is not None and policy.calendar.name == "weekdays"


async def test_the_backtest_agrees_with_the_live_workflow_under_policy_b(
    env: Any, pool: Any, fresh_database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Cases run on the time-skipping server under policy B, their agents answering in time,
    late and never, and a plan offered: the back-test of their stored timelines under policy B
    breaches exactly where the workflow breached; under the seed policy it lists the changes."""
    async with running_desk(env.client, env, pool, POLICY_B, request.node.name) as desk:
        start = await desk.now()
        in_time, late, never, planned = [await desk.open() for _ in range(4)]
        await desk.skip(timedelta(hours=1))
        await desk.api.act(in_time, "respond", {"agent": "agent-zhang", "text": "已安排"})
        # The plan comes 10 minutes before B's warning: an action handled in the same workflow
        # task as an alarm's timer runs before it there, and a timeline cannot show which task
        # (docs/sla-backtest.md, "What it cannot know").
        await desk.skip(timedelta(minutes=20))
        await desk.api.act(planned, "plan", {"agent": "agent-zhang", "summary": "上门"})
        await desk.skip(timedelta(hours=2, minutes=10))
        await desk.api.act(late, "respond", {"agent": "agent-zhang", "text": "抱歉来晚了"})
        await desk.skip(timedelta(hours=5))
        cases = [in_time, late, never, planned]
        for cid in cases:
            await desk.caught_up(cid, POLICY_B)
        now = await desk.now()
        snapshots = {cid: await stored(desk, cid) for cid in cases}

    # 漏水 is graded high-risk: the emergency response's deadlines run beside respond/resolve.
    responses_missed = {
        cid
        for cid, s in snapshots.items()
        for d in s
        if d.kind.value == "respond" and d.breached_at
    }
    assert responses_missed == {late, never}
    async with pool.acquire() as connection:
        found, without = await recorded_cases(
            connection, start - timedelta(minutes=1), now + timedelta(minutes=1)
        )
    assert without == []
    assert sorted(c.complaint_id for c in found) == sorted(cases)
    for case in found:
        replayed = replay(case, POLICY_B, now).deadlines
        assert [(d.kind, verdict(d), d.due_at, d.breached_at) for d in replayed] == [
            (d.kind, verdict(d), d.due_at, d.breached_at) for d in case.deadlines
        ], case.complaint_id
        assert [d.warned_at for d in replayed] == [d.warned_at for d in case.deadlines]
        assert [d.management_at for d in replayed] == [d.management_at for d in case.deadlines]

    day = start.astimezone(ZONE).date()
    same = await run_backtest(pool, POLICY_B, day, day + timedelta(days=2), now)
    assert same.cases == 4 and same.changes == []
    assert same.proposed == same.actual
    assert same.actual.breached > 2 and same.actual.management >= 1
    seed = await run_backtest(pool, ROUND_THE_CLOCK, day, day + timedelta(days=2), now)
    respond_changes = [
        (c.complaint_id, c.was, c.becomes) for c in seed.changes if c.deadline == "respond"
    ]
    assert respond_changes == [(late, Verdict.BREACHED, Verdict.MET)]
    assert seed.proposed.breached == same.proposed.breached - 2  # `never`'s is not due yet

    def cli(*period: str) -> subprocess.CompletedProcess[str]:
        return run_cli(
            *("sla", "backtest", "--policy", "policies/sla-seed-004.json", "--json", *period),
            DATABASE_URL=fresh_database,
            COMPLAINT_DESK_HOME=str(tmp_path),
        )

    printed = await asyncio.to_thread(
        cli, "--from", day.isoformat(), "--to", (day + timedelta(days=2)).isoformat()
    )
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout)["cases"] == 4
    backwards = await asyncio.to_thread(cli, "--from", day.isoformat(), "--to", day.isoformat())
    assert backwards.returncode == 2
    assert "is empty: the end must come after the start" in backwards.stderr
    assert seed.peak_load.agents[0].agent == "agent-zhang"
    assert seed.peak_load.agents[0].open_cases == 4


async def stored(desk: Desk, complaint_id: str) -> list[Deadline]:
    """The case's deadlines once the store holds its whole timeline."""
    snapshot = await desk.api.snapshot(complaint_id)

    async def probe() -> bool | None:
        row = await desk.pool.fetchrow(
            "SELECT last_seq FROM complaints WHERE complaint_id = $1", complaint_id
        )
        return True if row and row["last_seq"] >= snapshot.timeline_length - 1 else None

    await eventually(probe)
    return snapshot.deadlines


async def test_a_supervisor_tries_a_policy_on_the_board(desk: Desk, tmp_path: Path) -> None:
    """In Chromium: the board's link, a shipped policy chosen, the period's report with its
    chart and the case whose answer would have been late; an unreadable upload refused in
    words; the page in Chinese; an agent may not open it."""
    answered = await desk.open(subject="洗衣机漏水")  # L2: 24 h under the desk's policy
    await desk.skip(timedelta(hours=3))
    await desk.api.act(answered, "respond", {"agent": "agent-zhang", "text": "已安排上门"})
    await stored(desk, answered)
    today = (await desk.now()).astimezone(ZONE).date()
    upload = tmp_path / "broken.json"
    upload.write_text("{not json", encoding="utf-8")
    async with serving(desk, tmp_path) as served, chromium() as browser:
        context = await browser.new_context(locale="en-GB", viewport={"width": 1360, "height": 900})
        page = await context.new_page()
        await page.goto(served.base + "/lang/en?next=/signin")
        await sign_in(page, served, "sup-li")
        await page.get_by_role("link", name="Supervisor board").click()
        await page.get_by_role("link", name="Try an SLA policy on past cases").click()
        await page.get_by_label("Proposed policy").select_option("sla-seed-004.json")
        await page.get_by_label("Received from").fill(today.isoformat())
        await page.get_by_label("to before").fill((today + timedelta(days=1)).isoformat())
        await page.get_by_role("button", name="Run the back-test").click()
        report = page.locator("#backtest-report")
        await expect(report).to_contain_text(re.compile(r"Cases received from .*: 1, replayed"))
        await expect(report).to_contain_text("seed-004")
        await expect(page.locator("figure svg rect")).to_have_count(24 * 2 + 2)
        changes = page.get_by_role("region", name=re.compile("Deadlines whose outcome changes"))
        await expect(changes.get_by_role("row", name=re.compile(answered))).to_contain_text(
            "met → breached"
        )
        await shot(page, "web-backtest")

        await page.get_by_label("or upload a policy (JSON)").set_input_files(str(upload))
        await page.get_by_role("button", name="Run the back-test").click()
        await expect(page.get_by_role("alert")).to_contain_text(
            "The policy or calendar is not JSON"
        )

        await page.goto(served.base + "/lang/zh?next=/board/backtest")
        await expect(page.get_by_role("heading", name="时限政策回测")).to_be_visible()

        agent = await (await browser.new_context(locale="en-GB")).new_page()
        await agent.goto(served.base + "/lang/en?next=/signin")
        await sign_in(agent, served, "agent-zhang")
        assert (await agent.goto(served.base + "/board/backtest")).status == 403  # type: ignore[union-attr]


def test_every_word_of_the_backtest_is_in_both_languages_with_the_same_placeholders() -> None:
    en, zh = (
        {k: v for k, v in messages(lang).items() if k.startswith("backtest.")}
        for lang in ("en", "zh")
    )
    assert en.keys() == zh.keys()
    for key, text in en.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", zh[key])), key
    page = (ROOT / "web" / "templates" / "backtest.html").read_text(encoding="utf-8")
    asked = set(re.findall(r"\bbt\('([a-z_.]+)'[,)]", page))
    assert asked and {f"backtest.{k}" for k in asked} <= en.keys()
