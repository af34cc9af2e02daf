"""`complaint-desk sla …`: SLA policies tried before they are adopted (docs/sla-backtest.md).

complaint-desk sla backtest --policy policies/sla-seed-004.json --from 2026-11-01 --to 2026-12-01
complaint-desk sla backtest --policy P.json --calendar china-office.json --from … --to … --json

`--to` is the first day not included; days are the company's (China time).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from configuration import Settings
    from reports.backtest import BacktestReport, Figures


def add_parser(sub: Any) -> None:
    sla = sub.add_parser("sla", help="SLA policies: try one on past cases")
    what = sla.add_subparsers(dest="sla_command", required=True)
    s = what.add_parser(
        "backtest", help="replay a period's cases under a proposed policy, beside what happened"
    )
    s.add_argument("--policy", type=Path, required=True, help="an SLA policy JSON file")
    s.add_argument(
        "--calendar", type=Path, help="a business calendar JSON file (replaces the policy's)"
    )
    s.add_argument(
        "--from", dest="start", type=date.fromisoformat, required=True, help="2026-11-01"
    )
    s.add_argument(
        "--to", dest="end", type=date.fromisoformat, required=True, help="first day not included"
    )
    s.add_argument("--json", action="store_true", help='the report as JSON: {"cases": N, …}')


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from case_store.db import database_url, open_pool
    from catalogue import render
    from desk.backtest import BacktestRefused, period, proposed_policy, run_backtest
    from starter.input_file import read_text

    try:
        calendar = read_text(args.calendar) if args.calendar else None
        policy = proposed_policy(read_text(args.policy), calendar)
        period(args.start, args.end)
    except BacktestRefused as refused:
        print(render(refused.key, args.lang, refused.params), file=sys.stderr)
        return 2
    pool = await open_pool(database_url(settings), max_size=2)
    try:
        report = await run_backtest(pool, policy, args.start, args.end, datetime.now(UTC))
    finally:
        await pool.close()
    if args.json:
        print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print(text(report, args.lang))
    return 0


def text(report: BacktestReport, lang: str) -> str:
    """The report as lines, every word from the catalogue."""
    from catalogue import render

    def say(key: str, **params: str | int) -> str:
        return render(f"backtest.{key}", lang, params)

    summary: dict[str, str | int] = dict(
        cases=report.cases,
        start=report.period_from.isoformat(),
        end=report.period_to.isoformat(),
        policy=report.policy,
    )
    lines = [say("title"), say("summary", **summary)]
    if report.calendar:
        lines.append(say("summary_calendar", calendar=report.calendar))
    if report.without_timeline:
        ids = ", ".join(report.without_timeline[:20])
        lines.append(say("without_timeline", count=len(report.without_timeline), ids=ids))
    heads = [say(k) for k in ("met", "breached", "warnings", "management")]
    lines.append("")
    lines.append(
        f"{say('severity'):<8} {say('team'):<22} {say('cases'):>6}  "
        f"{say('actual')} → {say('proposed', policy=report.policy)}: {' / '.join(heads)}"
    )

    def figures(a: Figures, p: Figures) -> str:
        return "  ".join(
            f"{getattr(a, k)}→{getattr(p, k)}"
            for k in ("met", "breached", "warnings", "management")
        )

    for g in report.groups:
        team = say("no_team") if g.team == "-" else g.team
        lines.append(f"{g.severity:<8} {team:<22} {g.cases:>6}  {figures(g.actual, g.proposed)}")
    lines.append(
        f"{say('all_cases'):<31} {report.cases:>6}  {figures(report.actual, report.proposed)}"
    )
    lines += ["", say("by_hour")]
    for side in ("actual", "proposed"):
        counts = report.breaches_by_hour.get(side, [])
        name = say("actual") if side == "actual" else say("proposed", policy=report.policy)
        lines.append(f"  {name}: " + " ".join(f"{h:02d}:{n}" for h, n in enumerate(counts) if n))
    lines.append("")
    peak = report.peak_load
    if peak.at is None:
        lines.append(say("peak_none"))
    else:
        lines.append(say("peak", peak_at=peak.at.isoformat()))
        lines += [f"  {a.agent:<24} {a.open_cases}" for a in peak.agents]
    lines += ["", say("changes", count=len(report.changes))]
    for c in report.changes:
        lines.append(
            f"  {c.complaint_id:<16} "
            + render(
                "backtest.deadline_round" if c.round else "deadline." + c.deadline,
                lang,
                {"deadline": c.deadline, "round": c.round},
            )
            + f"  {render('backtest.due', lang)} {c.due_at.isoformat(timespec='minutes')}"
            + f"  {render('backtest.proposed_due', lang)} {c.proposed_due_at.isoformat(timespec='minutes')}"
            + f"  {say('change.' + c.was + '_to_' + c.becomes)}"
        )
    return "\n".join(lines)
