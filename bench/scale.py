"""Many complaints open at once on one worker: does memory stay bounded, do deadlines still fire
on time?

    .venv/bin/python -m bench.scale [--complaints 10000] [--rate 5] [--respond-minutes 5] [--worker JSON]

Starts the complaints at a steady rate on the system of `bench.system` (its own PostgreSQL, dev
server and bench worker). Nobody answers them, so each one's respond deadline falls due
`--respond-minutes` after it started, while the later ones are still arriving and every earlier
one is still open. Reports the worker's peak and final memory and every respond deadline's
lateness: from each case's history, the completion of the workflow task that acted on the
breach, minus the due time (`bench.figures.lateness`), once the case store shows every breach.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
from temporalio.client import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import lateness, percentile
from bench.lifecycle import BENCH_POLICY, intake
from bench.system import running
from desk.service import ComplaintDesk
from workflows.complaint import workflow_id_for

BREACHED = """
SELECT complaint_id, (d->>'due_at')::timestamptz
FROM complaints, jsonb_array_elements(deadlines) AS d
WHERE complaint_id = ANY($1) AND d->>'kind' = 'respond' AND d->>'breached_at' IS NOT NULL
"""


STORED = "SELECT count(*) FROM complaints WHERE complaint_id = ANY($1)"


async def main(args: argparse.Namespace) -> None:
    respond = timedelta(minutes=args.respond_minutes)
    policy = BENCH_POLICY.model_copy(
        update={
            "acknowledge": timedelta(hours=1),
            "triage": timedelta(hours=2),
            "targets": {
                level: target.model_copy(update={"respond": respond, "resolve": timedelta(hours=4)})
                for level, target in BENCH_POLICY.targets.items()
            },
        }
    )
    async with running(policy, workers_tuning=[json.loads(args.worker)]) as system:
        desk = ComplaintDesk(system.client)
        tag = uuid.uuid4().hex[:6]
        ids = [f"C-scale-{tag}-{i}" for i in range(args.complaints)]
        gate = asyncio.Semaphore(20)
        connection = await asyncpg.connect(system.database)
        reading = asyncio.Lock()  # one query at a time on the connection
        began = time.perf_counter()
        started = 0

        async def start(i: int) -> None:
            nonlocal started
            await asyncio.sleep(i / args.rate - (time.perf_counter() - began))
            async with gate:
                await desk.start(intake(ids[i]))
            started += 1
            if started % 100 == 0 and not reading.locked():
                async with reading:
                    stored = await connection.fetchval(STORED, ids)
                peak, now = system.worker_memory_mb()
                print(
                    f"\r  started {started}/{len(ids)} · in the store {stored} · worker "
                    f"{now:.0f} MB (peak {peak:.0f})",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )

        await asyncio.gather(*(start(i) for i in range(len(ids))))
        start_wall = time.perf_counter() - began
        print(file=sys.stderr)
        due: dict[str, datetime] = {}
        async with asyncio.timeout(respond.total_seconds() + args.complaints / args.rate + 1800):
            while len(due) < len(ids):
                await asyncio.sleep(5)
                due = dict(await connection.fetch(BREACHED, ids))
                peak, now = system.worker_memory_mb()
                print(
                    f"\r  breaches recorded {len(due)}/{len(ids)} · worker {now:.0f} MB "
                    f"(peak {peak:.0f})",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )
        print(file=sys.stderr)
        late = await handling_lateness(system.client, due)
        await connection.close()
        peak, now = system.worker_memory_mb()
        print(
            f"\n{len(ids)} complaints started in {start_wall:.0f} s ({len(ids) / start_wall:.1f}/s),"
            f" all open; respond deadline {args.respond_minutes} min after each start"
        )
        print(f"worker memory: peak {peak:.0f} MB, at the end {now:.0f} MB")
        print(
            "respond-deadline lateness (breach handled - due), every case: "
            f"p50 {percentile(late, 50) * 1000:,.0f} ms · p99 "
            f"{percentile(late, 99) * 1000:,.0f} ms · max {max(late) * 1000:,.0f} ms"
        )


async def handling_lateness(client: Client, due: dict[str, datetime]) -> list[float]:
    """Each case's lateness from its history, read after the run (so the reading is no load
    on it), a few histories at a time."""
    gate = asyncio.Semaphore(10)

    async def one(complaint_id: str) -> float:
        async with gate:
            history = await client.get_workflow_handle(
                workflow_id_for(complaint_id)
            ).fetch_history()
        seconds = lateness(history.events, due[complaint_id])
        assert seconds is not None, f"{complaint_id}: a breach in the store, none in its history"
        return seconds

    return await asyncio.gather(*(one(c) for c in due))


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--complaints", type=int, default=10_000)
    p.add_argument("--rate", type=float, default=5, help="complaints started per second")
    p.add_argument("--respond-minutes", type=float, default=5)
    p.add_argument(
        "--worker",
        default="{}",
        help="the bench worker's settings, JSON (bench.bench_worker), e.g. "
        "'{\"max_cached_workflows\": 50}'",
    )
    return p.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
