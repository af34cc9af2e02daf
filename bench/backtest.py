"""The SLA back-test on a month of 10,000 cases: its report and its wall time (target < 60 s).

    .venv/bin/python -m bench.backtest [--cases 10000] [--policy policies/sla-seed-004.json]

Each case is lived by the workflow's own pure rules (`CaseFile`, the same functions the workflow
calls) under the seed policy: received at a random moment of November 2026 by an agent or a
team's queue (taken from it later), graded, answered early, late or very late, a plan offered
and accepted, the result delivered, confirmed or left to close on silence; every alarm acts at
its due time, as the workflow's timer does. The cases go into a fresh embedded PostgreSQL as
the projection would write them (events with their facts, the case row with its deadlines).
Timed: `desk.backtest.run_backtest` (reading the month from the store, replaying every case under
the proposed policy, the report). A second run under the cases' own policy must change nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from activities.policy import load_policy, load_routing
from bench.system import temporary_database
from case_store.backtest import recorded_cases
from case_store.db import open_pool
from case_store.migrate import migrate
from desk.backtest import period, run_backtest
from reports.backtest import BacktestReport
from schemas import DEFAULT_POLICY
from schemas.actions import (
    AgentMessage,
    CustomerReply,
    ProgressNote,
    ReplyIntent,
    ResolutionPlan,
    TakeCase,
)
from schemas.case import Stage
from schemas.classification import Category, Classification, RiskLevel, Severity
from schemas.intake import ComplaintIntake
from schemas.refusals import InvalidAction
from schemas.sla import DeadlineKind
from workflows import closing, investigation, team_queue
from workflows.case_file import CaseFile

MONTH = (date(2026, 11, 1), date(2026, 12, 1))
START = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 1 November, 00:00 in Shanghai
AS_OF = datetime(2026, 12, 20, tzinfo=UTC)  # every case of the month has ended by then
AGENTS = [f"agent-{n:02d}" for n in range(40)]
OWN = DEFAULT_POLICY.model_copy(update={"quiet_hours": None, "version": "seed-000"})
ROUTING = load_routing()


def lived(i: int, rng: random.Random) -> CaseFile:
    """One case of the month, lived by the rules under the seed policy."""
    received = START + timedelta(seconds=rng.uniform(0, 30 * 86400 - 1))
    by_team = rng.random() < 0.3
    intake = ComplaintIntake.model_validate(
        {
            "complaint_id": f"M-{i:05d}",
            "customer": {"anonymous": True},
            "received_at": received.isoformat(),
            "channel": "email" if by_team else "hotline",
            "receiver": None if by_team else rng.choice(AGENTS),
            "subject": "bench",
            "description": "bench",
        }
    )
    case = CaseFile.open(intake, f"complaint-M-{i:05d}", received)
    if by_team:
        case.adopt_routing(ROUTING, received)
    case.adopt_policy(OWN, received)
    now = received + timedelta(seconds=2)
    for notice in list(case.outbox):
        case.delivered(notice, now)
    severity = rng.choices(list(Severity), weights=[1, 6, 3])[0]
    risk = RiskLevel.HIGH if rng.random() < 0.03 else RiskLevel.LOW
    category = rng.choice([c for c in Category if c.value in ("product", "service", "logistics")])
    case.classified(
        Classification(category=category, severity=severity, risk=risk, rules_version="bench"),
        now,
    )
    agent = rng.choice(AGENTS)
    respond = OWN.allowance(DeadlineKind.RESPOND, severity)
    lateness = rng.choices([(0.1, 0.9), (0.9, 1.6), (1.6, 4.0)], weights=[60, 25, 15])[0]

    def at(after: timedelta, then: Callable[[datetime], None]) -> None:
        nonlocal now
        now = caught_up(case, now + after)
        if case.state.stage is not Stage.DONE:
            with contextlib.suppress(InvalidAction):  # refused, as the validator would
                then(now)

    if by_team:
        at(
            timedelta(minutes=rng.uniform(1, 90)),
            lambda t: team_queue.take(case, TakeCase(by=agent), t),
        )
    answer = AgentMessage(agent=agent, text="bench")
    at(respond * rng.uniform(*lateness), lambda t: investigation.respond(case, answer, t))
    plan = ResolutionPlan(agent=agent, summary="bench")
    at(timedelta(hours=rng.uniform(1, 20)), lambda t: investigation.propose_plan(case, plan, t))
    accept = CustomerReply(text="ok", intent=ReplyIntent.ACCEPT_PLAN)
    at(timedelta(hours=rng.uniform(1, 30)), lambda t: closing.customer_reply(case, accept, t))
    result = ProgressNote(agent=agent, note="done", completed=True)
    at(
        timedelta(hours=rng.uniform(2, 40)),
        lambda t: investigation.record_progress(case, result, t),
    )
    if rng.random() < 0.6:
        confirm = CustomerReply(text="ok", intent=ReplyIntent.CONFIRM_RESOLVED)
        at(timedelta(hours=rng.uniform(1, 24)), lambda t: closing.customer_reply(case, confirm, t))
    caught_up(case, AS_OF)
    return case


def caught_up(case: CaseFile, until: datetime) -> datetime:
    """Every alarm due by `until` acts at its own due time, as the workflow's timer does."""
    while (agenda := case.agenda()) and agenda[0].due_at <= until:
        case.fire_due(agenda[0].due_at)
    return until


async def store(url: str, cases: list[CaseFile]) -> None:
    """The cases as the projection writes them: the case row and one row per event."""
    import asyncpg

    connection = await asyncpg.connect(url)
    # COPY speaks binary: jsonb's binary form is a version byte, then the JSON text.
    await connection.set_type_codec(
        "jsonb",
        encoder=lambda value: b"\x01" + json.dumps(value).encode(),
        decoder=lambda data: json.loads(data[1:]),
        schema="pg_catalog",
        format="binary",
    )
    await migrate(connection)
    rows, events = [], []
    for case in cases:
        s, snap = case.state, case.snapshot()
        rows.append(
            (
                snap.complaint_id,
                s.workflow_id,
                snap.channel.value,
                "bench",
                snap.stage.value,
                snap.owner,
                snap.escalation_level.value,
                snap.reopen_count,
                snap.received_at,
                any(d.breached_at for d in s.deadlines),
                [d.model_dump(mode="json") for d in s.deadlines],
                snap.timeline_length - 1,
                s.timeline[-1].at,
                snap.severity.value if snap.severity else None,
                snap.policy_version,
            )
        )
        events += [
            (
                s.workflow_id,
                e.seq,
                snap.complaint_id,
                e.at,
                e.stage.value,
                e.kind.value,
                e.actor,
                e.summary,
                e.public,
                e.facts,
            )
            for e in s.timeline
        ]
    await connection.copy_records_to_table(
        "complaints",
        records=rows,
        columns=[
            "complaint_id",
            "workflow_id",
            "channel",
            "subject",
            "stage",
            "owner",
            "escalation_level",
            "reopen_count",
            "received_at",
            "breached",
            "deadlines",
            "last_seq",
            "updated_at",
            "severity",
            "policy_version",
        ],
    )
    await connection.copy_records_to_table(
        "complaint_events",
        records=events,
        columns=[
            "workflow_id",
            "seq",
            "complaint_id",
            "at",
            "stage",
            "kind",
            "actor",
            "summary",
            "public",
            "facts",
        ],
    )
    await connection.execute("ANALYZE complaints; ANALYZE complaint_events")
    await connection.close()


def summary(report: BacktestReport, seconds: float) -> dict[str, object]:
    return {
        "cases": report.cases,
        "policy": report.policy,
        "seconds": round(seconds, 1),
        "actual": report.actual.model_dump(),
        "proposed": report.proposed.model_dump(),
        "changes": len(report.changes),
        "met_to_breached": sum(c.was == "met" for c in report.changes),
        "breached_to_met": sum(c.was == "breached" for c in report.changes),
        "peak_load_at": report.peak_load.at.isoformat() if report.peak_load.at else None,
        "busiest_agents": [a.model_dump() for a in report.peak_load.agents[:3]],
        "groups": [
            f"{g.severity} {g.team}: {g.cases} cases, breached {g.actual.breached} → "
            f"{g.proposed.breached}"
            for g in report.groups
        ],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--policy", default="policies/sla-seed-004.json")
    parser.add_argument("--json", type=Path, help="write the full report here")
    args = parser.parse_args()
    proposed = load_policy(args.policy).model_copy(update={"quiet_hours": None})
    rng = random.Random(28)
    started = time.perf_counter()
    cases = [lived(i, rng) for i in range(args.cases)]
    events = sum(len(c.state.timeline) for c in cases)
    print(f"lived {len(cases)} cases ({events} events) in {time.perf_counter() - started:.1f} s")
    with temporary_database("complaint-bench-backtest-") as (_, url):
        started = time.perf_counter()
        await store(url, cases)
        print(f"stored in {time.perf_counter() - started:.1f} s")
        pool = await open_pool(url, max_size=2)
        try:
            started = time.perf_counter()
            async with pool.acquire() as connection:
                read, _ = await recorded_cases(connection, *period(*MONTH))
            print(f"the month read from the store alone: {time.perf_counter() - started:.1f} s")
            del read
            started = time.perf_counter()
            report = await run_backtest(pool, proposed, *MONTH, AS_OF)
            took = time.perf_counter() - started
            print(json.dumps(summary(report, took), indent=2, ensure_ascii=False))
            if args.json:
                args.json.write_text(report.model_dump_json(indent=2), encoding="utf-8")
            started = time.perf_counter()
            own = await run_backtest(pool, OWN, *MONTH, AS_OF)
            took = time.perf_counter() - started
            print(json.dumps({"own policy": summary(own, took)}, indent=2, ensure_ascii=False))
            assert own.changes == [] and own.proposed == own.actual, "the replay drifted"
        finally:
            await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
