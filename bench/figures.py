"""What the ladder reports: per-rung throughput and CPU, and the Temporal-side figures read from
the full rung's histories (workflow-task latencies, signal to state, end to end, transitions)."""

from __future__ import annotations

import argparse
import json
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

from workflows.search_attributes import BREACHED

E = EventType


@dataclass
class Rung:
    name: str
    lifecycles: int
    wall: float
    start_p50: float
    start_p99: float
    cpu: dict[str, float]
    worker_peak_mb: float

    @property
    def per_second(self) -> float:
        return self.lifecycles / self.wall


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def breach_handled_at(events: Sequence[HistoryEvent]) -> datetime | None:
    """When the case first acted on a missed deadline: the completion of the workflow task that
    recorded the breach (its history event time, the server's clock), or None if none was. Only
    a fired timer makes the case act on a deadline, so that task is the one the timer woke.

    Not the breach's recorded time: the case stamps a breach with the deadline's due time (its
    clock is its own timers), so that would read 0 however late the timer's task ran. The task
    that recorded the breach shows it in clear in the history: it set `ComplaintBreached`."""
    completed: HistoryEvent | None = None
    for event in events:
        if event.event_type == E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            completed = event
        elif event.event_type == E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES and completed:
            fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
            value = fields.indexed_fields.get(BREACHED.name)
            if value is not None and value.data and json.loads(value.data) is True:
                return completed.event_time.ToDatetime(tzinfo=UTC)
    return None


def lateness(events: Sequence[HistoryEvent], due: datetime) -> float | None:
    """Seconds from a deadline's due time to the case acting on its breach (None: no breach)."""
    handled = breach_handled_at(events)
    return None if handled is None else (handled - due).total_seconds()


async def history_figures(client: Client, workflow_ids: list[str]) -> dict[str, list[float]]:
    """Seconds, from the server's own event times: no client-side polling in them."""
    out: dict[str, list[float]] = {k: [] for k in ("wft_wait", "wft_run", "signal", "e2e", "st")}
    for wid in workflow_ids:
        handle = client.get_workflow_handle(wid)
        events = (await handle.fetch_history()).events
        time = {e.event_id: e.event_time.ToDatetime() for e in events}
        pending_signals: list[datetime] = []
        for e in events:
            if e.event_type == E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
                scheduled = e.workflow_task_started_event_attributes.scheduled_event_id
                out["wft_wait"].append((time[e.event_id] - time[scheduled]).total_seconds())
            elif e.event_type == E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                started = e.workflow_task_completed_event_attributes.started_event_id
                out["wft_run"].append((time[e.event_id] - time[started]).total_seconds())
                out["signal"] += [(time[e.event_id] - s).total_seconds() for s in pending_signals]
                pending_signals = []
            elif e.event_type == E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
                pending_signals.append(time[e.event_id])
        out["e2e"].append((time[events[-1].event_id] - time[events[0].event_id]).total_seconds())
        described = await handle.describe()
        out["st"].append(described.raw_description.workflow_execution_info.state_transition_count)
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def print_report(
    rungs: list[Rung],
    lateness: list[float],
    figures: dict[str, list[float]],
    writes_per_lifecycle: float,
    args: argparse.Namespace,
    shapes: dict[str, dict[str, int]],
) -> None:
    twin = next(r for r in rungs if r.name == "twin")
    full = rungs[-1]
    print(
        f"\n{args.lifecycles} lifecycles per rung, {args.concurrency} in flight; "
        f"{os.cpu_count()} CPUs, {platform.python_version()}, server flags: "
        f"{' '.join(args.server_flag) or '(defaults)'}"
    )
    names = list(next(iter(shapes.values())))
    print(f"| one run's history | {' | '.join(names)} |\n|---|{'---|' * len(names)}")
    for who, counts in shapes.items():
        print(f"| {who} | {' | '.join(str(counts[n]) for n in names)} |")
    print()
    print(
        "| rung | lifecycles/s | × twin | start p50 | start p99 | CPU s server | worker | postgres "
        "| worker peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rungs:
        print(
            f"| {r.name} | {r.per_second:.1f} | {r.per_second / twin.per_second:.2f} "
            f"| {ms(r.start_p50)} | {ms(r.start_p99)} | {r.cpu['server']:.1f} "
            f"| {r.cpu['worker']:.1f} | {r.cpu['postgres']:.1f} | {r.worker_peak_mb:.0f} |"
        )
    side = next((r for r in rungs if r.name == "twin, side by side"), None)
    if side is not None:
        print(
            f"\nfull × twin: {full.per_second / twin.per_second:.2f}; against the side-by-side "
            f"twin (the method until 2026-12-07): {full.per_second / side.per_second:.2f}"
        )
    print()
    rows = [
        ("deadline lateness (due → breach handled)", lateness),
        ("workflow task schedule-to-start", figures["wft_wait"]),
        ("workflow task execution", figures["wft_run"]),
        ("signal → state (signal event → task completed)", figures["signal"]),
        ("end to end (started → completed)", figures["e2e"]),
    ]
    print("| full rung | p50 | p95 | p99 |\n|---|---|---|---|")
    for label, values in rows:
        print(
            f"| {label} | {ms(percentile(values, 50))} | {ms(percentile(values, 95))} "
            f"| {ms(percentile(values, 99))} |"
        )
    transitions = sum(figures["st"])
    print(
        f"\nstate transitions: {transitions / len(figures['st']):.0f} per lifecycle, "
        f"{transitions / full.wall:,.0f}/s in the full rung; store rows written per lifecycle: "
        f"{writes_per_lifecycle:.1f}"
    )
