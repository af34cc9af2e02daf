"""`complaint-desk show ID`: a case's stage, deadlines, tasks and timeline.

Read from what is cheapest to reach and said where it came from:

- **the case store** (what the web workspace reads): the projection the case writes after each
  of its steps, one PostgreSQL round trip with no Temporal client and no models to load (about
  a tenth of a second per call: docs/benchmarks.md, "CLI latency"). It can be a step behind the
  case, so the last line says up to which timeline entry it goes;
- **the case itself** (its queries through Temporal, about half a second more) with `--live`,
  `--json` or `--customer`, and whenever the store cannot say: no store running or configured,
  the case not in it yet, a write still in flight, or the watchdog has the case as stuck (the
  live path says how to repair it).

The store is used only where one is configured (`DATABASE_URL`) or the local one already runs
under the home folder: `show` never starts a database, nor keeps one alive.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from temporalio.client import Client

    from schemas import CaseSnapshot, TimelineEntry
    from schemas.customer_view import CustomerView

# A case as `render` takes it: the snapshot's fields as JSON has them (the store's projection
# keeps the same names), and the timeline's entries (seq, at, stage, kind, actor, summary).
Case = dict[str, Any]
Entry = dict[str, Any]

STORE_TIMEOUT = 2.0  # seconds to reach the store before asking the case itself

_CASE = """SELECT complaint_id, stage, outcome, severity, risk, category, owner,
                  escalation_level, reopen_count, deadlines::text, tasks::text, last_seq,
                  updated_at
           FROM complaints WHERE complaint_id = $1"""
_TIMELINE = """SELECT seq, at, stage, kind, actor, summary FROM complaint_events
               WHERE complaint_id = $1 AND seq <= $2 ORDER BY seq"""
# The watchdog's open episode for the case (`schemas.stuck_cases.STUCK_KIND`, a test keeps it).
_STUCK = """SELECT 1 FROM alerts
            WHERE kind = 'stuck' AND cleared_at IS NULL AND complaint_ids->>0 = $1"""


def add_parser(sub: Any) -> None:
    s = sub.add_parser(
        "show", help="a case's state and timeline (the case store's copy, else the case's own)"
    )
    s.add_argument("complaint_id")
    s.add_argument(
        "--live", action="store_true", help="ask the case itself (Temporal), not the store's copy"
    )
    s.add_argument("--json", action="store_true", help="the case's own snapshot and timeline")
    s.add_argument("--customer", action="store_true", help="only what the customer may see")


def wants_store(args: argparse.Namespace) -> bool:
    return not (args.live or args.json or args.customer)


async def from_store(complaint_id: str) -> str | None:
    """The case as the store has it, rendered; None where the store cannot say (see above)."""

    import asyncpg

    url = _store_url()
    if url is None:
        return None
    try:
        connection = await asyncpg.connect(url, timeout=STORE_TIMEOUT)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return None
    try:
        row = await connection.fetchrow(_CASE, complaint_id)
        if row is None or await connection.fetchval(_STUCK, complaint_id):
            return None
        events = await connection.fetch(_TIMELINE, complaint_id, row["last_seq"])
    except asyncpg.PostgresError:  # a store without the schema, or an older one
        return None
    finally:
        await connection.close()
    if [e["seq"] for e in events] != list(range(row["last_seq"] + 1)):
        return None  # an earlier step's write is still on its way
    case = {
        **dict(row),
        "deadlines": json.loads(row["deadlines"]),
        "tasks": json.loads(row["tasks"]),
    }
    written = row["updated_at"].isoformat(timespec="seconds")
    source = (
        f"  (the case store's copy, up to entry {row['last_seq']} of {written}; the case may be "
        "a step ahead: `--live` asks it)"
    )
    return render(case, [dict(e) for e in events]) + "\n" + source


def _store_url() -> str | None:
    """`DATABASE_URL`, else the local store if it runs now under the home folder."""
    from case_store.db import running_embedded_url
    from configuration import environment

    return environment.raw("database_url") or running_embedded_url(environment.home() / "postgres")


async def live(args: argparse.Namespace, client: Client) -> int:
    """`show` through the case's queries: no workflow code is imported for a read."""
    from activities.stuck_cases import diagnose
    from desk import reading
    from starter import repair

    stuck = await diagnose(client, reading.workflow_id(args.complaint_id))
    if stuck:  # its live state cannot be read until it is repaired
        print(repair.stuck_line(stuck))
        print(f"  the store's last projection: `complaint-desk store case {args.complaint_id}`")
        return 6
    if args.customer:
        view = await reading.customer_view(client, args.complaint_id)
        print(view.model_dump_json(indent=2) if args.json else render_for_customer(view))
        return 0
    snapshot, timeline = await reading.case_and_timeline(client, args.complaint_id)
    if args.json:
        shown = {
            "snapshot": snapshot.model_dump(mode="json"),
            "timeline": [e.model_dump(mode="json") for e in timeline],
        }
        print(json.dumps(shown, ensure_ascii=False, indent=2))
    else:
        print(render_snapshot(snapshot, timeline) + "\n  (from the case itself, live)")
    return 0


def render_snapshot(snapshot: CaseSnapshot, timeline: list[TimelineEntry]) -> str:
    return render(snapshot.model_dump(mode="json"), [e.model_dump(mode="json") for e in timeline])


def render(case: Case, timeline: list[Entry]) -> str:
    level = case["escalation_level"]
    lines = [
        f"{case['complaint_id']}  stage {case['stage']}"
        f"{'  outcome ' + case['outcome'] if case['outcome'] else ''}",
        f"  severity {case['severity'] or '-'}  risk {case['risk'] or '-'}  category "
        f"{case['category'] or '-'}  owner {case['owner']}"
        f"  {'not escalated' if level == 'owner' else 'escalated to ' + level}"
        f"  re-opens {case['reopen_count']}",
        "  deadlines:",
    ]
    seen: dict[tuple[str, int], int] = {}
    named = []
    for d in case["deadlines"]:
        # Some deadlines recur within a round (the emergency team's daily progress update).
        n = seen[(d["kind"], d["round"])] = seen.get((d["kind"], d["round"]), 0) + 1
        named.append((f"{d['kind']} r{d['round']}" + (f" #{n}" if n > 1 else ""), d))
    width = max((len(name) for name, _ in named), default=0)
    for name, d in named:
        state = " ".join(
            f"{word} {_at(d[field])}"
            for word, field in (
                ("breached", "breached_at"),
                ("met", "met_at"),
                ("paused", "paused_at"),
            )
            if d.get(field)
        )
        lines.append(f"    {name:<{width}} due {_at(d['due_at'])}  {state or 'pending'}")
    if case["tasks"]:
        lines.append("  tasks:")
    for t in case["tasks"]:
        state = f"done {_at(t['done_at'])}" if t.get("done_at") else "open"
        state += "  overdue" if t.get("escalated_at") and not t.get("done_at") else ""
        state += "  blocks resolution" if t["blocking"] and not t.get("done_at") else ""
        lines.append(
            f"    #{t['number']} {t['department']:<11} {t['owner']:<12} due "
            f"{_at(t['due_at'])}  {state}  {t['title']}"
        )
    lines.append("  timeline:")
    stage_w, kind_w, actor_w = (
        max((len(e[key]) for e in timeline), default=0) for key in ("stage", "kind", "actor")
    )
    for e in timeline:
        lines.append(
            f"    {e['seq']:>3} {_at(e['at'], 'seconds')} {e['stage']:<{stage_w}} "
            f"{e['kind']:<{kind_w}} {e['actor']:<{actor_w}} {e['summary']}"
        )
    return "\n".join(lines)


def _at(value: datetime | str, timespec: str = "minutes") -> str:
    """A time as the store (a datetime) or the case's JSON (ISO text) gives it, shown alike."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.isoformat(timespec=timespec)


def render_for_customer(view: CustomerView) -> str:
    promise = view.next_promise
    lines = [
        f"{view.complaint_id}  {view.subject}  stage {view.stage.value}"
        f"{'  outcome ' + view.outcome.value if view.outcome else ''}",
        f"  next promise: {promise.kind.value} by {promise.due_at.isoformat(timespec='minutes')}"
        if promise
        else "  next promise: -",
        *(["  waiting on the customer's answer"] if view.waiting_on_you else []),
        f"  plan: {view.plan or '-'}"
        + (f" (compensation {view.compensation_yuan} yuan)" if view.compensation_yuan else ""),
    ]
    kind_w = max((len(e.kind.value) for e in view.entries), default=0)
    for e in view.entries:
        lines.append(
            f"    {e.at.isoformat(timespec='seconds')} {e.by:<4} {e.kind.value:<{kind_w}}"
            f" {e.text or e.kind.value.replace('_', ' ')}"
        )
    return "\n".join(lines)
