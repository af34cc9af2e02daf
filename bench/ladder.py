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
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
from desk.service import ComplaintDesk
from workflows.complaint import workflow_id_for

Twin = type[ShapeTwin] | type[SideBySideTwin]


async def twin_lifecycle(
    system: System, plan: TwinPlan, rung: str, warm: str, twin: Twin, i: int
) -> float:
    """The twin's driver: the same starts, signals and updates as a lifecycle, in its order."""
    cid = f"C-{rung.replace('+', '-').replace(' ', '-')}-{uuid.uuid4().hex[:8]}-{i}"
    return await drive_twin(system, plan, warm, cid, twin)


async def drive_twin(
    system: System, plan: TwinPlan, warm: str, complaint_id: str, twin: Twin = ShapeTwin
) -> float:
    """Each action sent when the lifecycle's driver sent it: an update is tried again while
    refused (the twin refuses it until it has got as far as the case had), a signal waits until
    the twin is that far (as the lifecycle's driver waits for the survey to be sent)."""
    started = time.perf_counter()
    handle = await system.client.start_workflow(
        twin.run,
        plan.with_ids(warm, complaint_id),
        id=complaint_id,
        task_queue=TWIN_QUEUE,
    )
    latency = time.perf_counter() - started
    for n, kind in enumerate(plan.actions):
        if kind == "signal":
            if twin is ShapeTwin:  # the side-by-side twin waits for each action's count itself
                await ready(partial(handle.query, ShapeTwin.ready_for, n))
            await handle.signal(ShapeTwin.act)
        else:
            await accepted(lambda: handle.execute_update(ShapeTwin.act_and_answer))
    await handle.result()
    return latency


async def ready(probe: Callable[[], Awaitable[bool]], seconds: float = 120) -> None:
    """Poll until the probe says yes, as `bench.lifecycle.until` polls a case."""
    async with asyncio.timeout(seconds):
        while True:
            if await probe():
                return
            await asyncio.sleep(POLL)


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
    name: str, lifecycles: int, concurrency: int, system: System
) -> tuple[Rung, list[float], list[str]]:
    """Real lifecycles, with late cases left unanswered alongside: their respond deadlines fall
    due while the rung loads the system. Returns the rung, the late cases' deadline lateness and
    the lifecycles' complaint ids."""
    desk = ComplaintDesk(system.client)
    tag = uuid.uuid4().hex[:6]
    ids = [f"C-full-{tag}-{i}" for i in range(lifecycles)]
    late = [f"C-late-{tag}-{i}" for i in range(max(5, lifecycles // 10))]
    for cid in late:
        await desk.start(intake(cid))
    rung = await run_rung(
        name, lifecycles, concurrency, system, lambda i: full_lifecycle(desk, ids[i])
    )
    return rung, await late_case_lateness(desk, late), ids


async def main(args: argparse.Namespace) -> None:
    async with running(BENCH_POLICY, args.server_flag) as system:
        desk = ComplaintDesk(system.client)
        print("warm-up lifecycle …", file=sys.stderr)
        warm = f"C-warm-{uuid.uuid4().hex[:6]}"
        await full_lifecycle(desk, warm)
        plan = await twin_plan(system.client, warm, store=False)
        store_plan = await twin_plan(system.client, warm, store=True)
        twin = f"C-shape-{uuid.uuid4().hex[:6]}"
        await drive_twin(system, plan, warm, twin)
        side_by_side = f"C-side-{uuid.uuid4().hex[:6]}"
        await drive_twin(system, plan, warm, side_by_side, SideBySideTwin)
        shapes = {
            "lifecycle": await shape(system.client, workflow_id_for(warm)),
            "twin": await shape(system.client, twin),
            "twin, side by side": await shape(system.client, side_by_side),
        }

        empty = TwinPlan(
            steps=[], cancelled_timers=0, fired_timer=timedelta(0), actions=[], upserts=0
        )
        rungs = [
            await run_rung(
                name,
                args.lifecycles,
                args.concurrency,
                system,
                partial(twin_lifecycle, system, twin, name, warm, kind),
            )
            for name, twin, kind in (
                ("empty", empty, ShapeTwin),
                ("twin, side by side", plan, SideBySideTwin),
                ("twin", plan, ShapeTwin),
                ("twin+store", store_plan, ShapeTwin),
            )
        ]

        full, lateness, ids = await full_rung("full", args.lifecycles, args.concurrency, system)
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
