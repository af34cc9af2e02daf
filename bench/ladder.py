"""Complaint lifecycles per second against the bare Temporal floor, measured in one run.

    .venv/bin/python -m bench.ladder [--lifecycles 200] [--concurrency 20] [--server-flag …]

Starts its own PostgreSQL, dev server and bench worker (`bench.system`), runs one warm-up
lifecycle to learn its shape, then five rungs of the same number of lifecycles at the same
concurrency:

1. empty     — a workflow that returns at once;
2. twin, side by side — the twin as it was until 2026-12-07: the lifecycle's counts, each
               stretch's activities side by side (fewer workflow tasks), kept for comparison;
3. twin      — the shape twin: the lifecycle's workflow tasks, each with the commands the
               lifecycle's had, after what had happened before it, with no-op bodies
               (`bench.shape_twin`);
4. twin+store — the twin replaying the lifecycle's real store writes and notifications;
5. full      — real complaints: start → classify → respond → plan → accept → carry out →
               confirm → follow-up survey answered, with deadlines scaled to seconds.

First it runs one of each twin and prints their histories' counts beside the warm-up lifecycle's,
so a twin that no longer has the lifecycle's shape shows. Reports throughput and its ratio to the twin,
client latencies, deadline lateness under load (late cases left unanswered while the full rung
runs; from each one's history: the task that handled the breach minus the due time),
workflow-task latencies, signal-to-state
latency and state transitions from the histories, and the CPU split between the processes.
Per rung it counts the drivers' client calls by kind (`bench.calls`) and the workflow tasks in
each run's history, per lifecycle: the twin's driver makes the lifecycle's calls, no more.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

import asyncpg
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.calls import SHOWN, counting, per_lifecycle
from bench.figures import Rung, history_figures, percentile, print_report
from bench.lifecycle import (
    BENCH_POLICY,
    POLL,
    accepted,
    full_lifecycle,
    intake,
    late_case_lateness,
    shape,
    twin_plan,
)
from bench.shape_twin import TWIN_QUEUE, ShapeTwin, SideBySideTwin, TwinPlan
from bench.system import System, running
from desk.reading import describe
from desk.service import ComplaintDesk
from workflows.complaint import workflow_id_for

Twin = type[ShapeTwin] | type[SideBySideTwin]


async def drive_twin(
    client: Client, plan: TwinPlan, warm: str, complaint_id: str, twin: Twin = ShapeTwin
) -> float:
    """The client calls `full_lifecycle` makes, in its order, and no others: the start; each
    update (tried again while refused, as an agent's page does; the twin refuses it only where
    the case's rules would); before each signal the describe `desk.act` makes to learn whether
    the case has ended; before the survey's answer the wait for the survey, polled as
    `bench.lifecycle.until` polls the case; the result. Returns the start's latency."""
    started = time.perf_counter()
    handle = await client.start_workflow(
        twin.run,
        plan.with_ids(warm, complaint_id),
        id=complaint_id,
        task_queue=TWIN_QUEUE,
    )
    latency = time.perf_counter() - started
    for n, kind in enumerate(plan.actions):
        if kind == "update":
            await accepted(lambda: handle.execute_update(ShapeTwin.act_and_answer))
            continue
        if n == plan.awaited:
            await ready(partial(handle.query, ShapeTwin.ready_for, n))
        await describe(client, complaint_id)
        await handle.signal(ShapeTwin.act)
    await handle.result()
    return latency


async def ready(probe: Callable[[], Awaitable[bool]], seconds: float = 120) -> None:
    """Poll until the probe says yes, as `bench.lifecycle.until` polls a case."""
    async with asyncio.timeout(seconds):
        while True:
            if await probe():
                return
            await asyncio.sleep(POLL)


@dataclass
class Counted:
    """What a rung's drivers asked of Temporal and what the runs cost it, per lifecycle."""

    calls: dict[str, float]
    workflow_tasks: float  # `WorkflowTaskCompleted` in each run's history


async def workflow_tasks(client: Client, workflow_ids: list[str]) -> float:
    """Workflow tasks per run, from the histories; an update refused in its validator ran in a
    task the server drops from history (counted among the calls instead)."""
    total = 0
    for wid in workflow_ids:
        events = (await client.get_workflow_handle(wid).fetch_history()).events
        total += sum(e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED for e in events)
    return total / len(workflow_ids)


def print_counts(counted: dict[str, Counted]) -> None:
    print(
        f"\n| per lifecycle | {' | '.join(SHOWN)} | workflow tasks (history) |\n"
        f"|---|{'---|' * (len(SHOWN) + 1)}"
    )
    for name, c in counted.items():
        calls = " | ".join(f"{c.calls[k]:.2f}" for k in SHOWN)
        print(f"| {name} | {calls} | {c.workflow_tasks:.1f} |")


async def run_rung(
    name: str,
    lifecycles: int,
    concurrency: int,
    system: System,
    one: Callable[[int], Awaitable[float]],
) -> Rung:
    gate = asyncio.Semaphore(concurrency)
    starts: list[float] = []
    done = 0
    cpu_before = system.cpu()

    async def bounded(i: int) -> None:
        nonlocal done
        async with gate:
            starts.append(await one(i))
            done += 1
            print(
                f"\r  {name:<11} {'#' * (30 * done // lifecycles):<30} {done}/{lifecycles}",
                end="",
                file=sys.stderr,
                flush=True,
            )

    began = time.perf_counter()
    await asyncio.gather(*(bounded(i) for i in range(lifecycles)))
    wall = time.perf_counter() - began
    print(file=sys.stderr)
    cpu_after = system.cpu()
    return Rung(
        name=name,
        lifecycles=lifecycles,
        wall=wall,
        start_p50=percentile(starts, 50),
        start_p99=percentile(starts, 99),
        cpu={k: cpu_after[k] - cpu_before[k] for k in cpu_after},
        worker_peak_mb=system.worker_memory_mb()[0],
    )


async def full_rung(
    name: str, lifecycles: int, concurrency: int, system: System, client: Client | None = None
) -> tuple[Rung, list[float], list[str]]:
    """Real lifecycles, with late cases left unanswered alongside: their respond deadlines fall
    due while the rung loads the system. Returns the rung, the late cases' deadline lateness and
    the lifecycles' complaint ids. `client`: the one the lifecycles' driver calls through (the
    late cases use the system's)."""
    desk = ComplaintDesk(system.client)
    driver = ComplaintDesk(client or system.client)
    tag = uuid.uuid4().hex[:6]
    ids = [f"C-full-{tag}-{i}" for i in range(lifecycles)]
    late = [f"C-late-{tag}-{i}" for i in range(max(5, lifecycles // 10))]
    for cid in late:
        await desk.start(intake(cid))
    rung = await run_rung(
        name, lifecycles, concurrency, system, lambda i: full_lifecycle(driver, ids[i])
    )
    return rung, await late_case_lateness(desk, late), ids


async def main(args: argparse.Namespace) -> None:
    async with running(BENCH_POLICY, args.server_flag) as system:
        client, service = counting(system.client)
        desk = ComplaintDesk(client)
        print("warm-up lifecycle …", file=sys.stderr)
        warm = f"C-warm-{uuid.uuid4().hex[:6]}"
        await full_lifecycle(desk, warm)
        plan = await twin_plan(system.client, warm, store=False)
        store_plan = await twin_plan(system.client, warm, store=True)
        twin = f"C-shape-{uuid.uuid4().hex[:6]}"
        await drive_twin(client, plan, warm, twin)
        side_by_side = f"C-side-{uuid.uuid4().hex[:6]}"
        await drive_twin(client, plan, warm, side_by_side, SideBySideTwin)
        shapes = {
            "lifecycle": await shape(system.client, workflow_id_for(warm)),
            "twin": await shape(system.client, twin),
            "twin, side by side": await shape(system.client, side_by_side),
        }

        empty = TwinPlan(
            steps=[], cancelled_timers=0, fired_timer=timedelta(0), actions=[], upserts=0
        )
        rungs: list[Rung] = []
        counted: dict[str, Counted] = {}
        for name, rung_plan, kind in (
            ("empty", empty, ShapeTwin),
            ("twin, side by side", plan, SideBySideTwin),
            ("twin", plan, ShapeTwin),
            ("twin+store", store_plan, ShapeTwin),
        ):
            tag = f"C-{name.replace('+', '-').replace(',', '').replace(' ', '-')}"
            ids = [f"{tag}-{uuid.uuid4().hex[:8]}-{i}" for i in range(args.lifecycles)]
            one = partial(drive_rung_twin, client, rung_plan, warm, kind, ids)
            before = service.calls.copy()
            rungs.append(await run_rung(name, args.lifecycles, args.concurrency, system, one))
            counted[name] = Counted(
                per_lifecycle(service.calls - before, len(ids)),
                await workflow_tasks(system.client, ids),
            )

        before = service.calls.copy()
        full, lateness, ids = await full_rung(
            "full", args.lifecycles, args.concurrency, system, client
        )
        counted["full"] = Counted(
            per_lifecycle(service.calls - before, len(ids)),
            await workflow_tasks(system.client, [workflow_id_for(c) for c in ids]),
        )
        rungs.append(full)
        figures = await history_figures(system.client, [workflow_id_for(c) for c in ids])
        connection = await asyncpg.connect(system.database)
        rows = 0
        for table in ("complaints", "complaint_events", "notification_outbox", "case_library"):
            rows += await connection.fetchval(
                f"SELECT count(*) FROM {table} WHERE complaint_id = ANY($1)", ids
            )
        await connection.close()
        print_report(rungs, lateness, figures, rows / len(ids), args, shapes)
        print_counts(counted)


async def drive_rung_twin(
    client: Client, plan: TwinPlan, warm: str, twin: Twin, ids: list[str], i: int
) -> float:
    return await drive_twin(client, plan, warm, ids[i], twin)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--lifecycles", type=int, default=200, help="per rung (default 200)")
    p.add_argument("--concurrency", type=int, default=20, help="lifecycles in flight at once")
    p.add_argument(
        "--server-flag",
        action="append",
        default=[],
        help="extra dev-server flag, e.g. --server-flag=--sqlite-pragma "
        "--server-flag=journal_mode=WAL",
    )
    return p.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
