"""The worker process the benchmark measures: `worker.py`'s complaint worker, plus the shape twin
on a queue of its own, in one process (so the CPU and memory figures are one worker's).

    TEMPORAL_ADDRESS=… DATABASE_URL=… COMPLAINT_PAYLOAD_KEYS=… python -m bench.bench_worker

`BENCH_WORKER` (JSON) tunes it for `bench.tuning`: `role` ("all", "workflows", "activities"),
`pool_size` (PostgreSQL connections), `sandbox` (false runs workflows unsandboxed) and any other
key as a setting of the SDK's `Worker` (e.g. `max_cached_workflows`).
"""

from __future__ import annotations

import asyncio
import faulthandler
import json
import os
import signal
import sys
from typing import Any

import httpx
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.case_store import CaseStoreActivities
from activities.notifier import NotificationActivities
from activities.policy import load_policy
from bench.shape_twin import TWIN_QUEUE, ShapeTwin, SideBySideTwin, noop
from case_store.db import database_url, open_pool
from case_store.migrate import migrate
from case_store.outbox import OutboxNotifier
from configuration import load
from configuration.process import limit_malloc_arenas
from delivery import config as delivery_config
from desk.service import connect
from encryption.keys import load_keyring
from telemetry import logs
from worker import EXIT_STALLED, build_worker, stalled
from workflows.complaint import TASK_QUEUE


async def main() -> None:
    logs.configure()
    settings: dict[str, Any] = json.loads(os.environ.get("BENCH_WORKER") or "{}")
    role = settings.pop("role", "all")
    pool_size = settings.pop("pool_size", 10)
    if not settings.pop("sandbox", True):
        settings["workflow_runner"] = UnsandboxedWorkflowRunner()
    config = load()
    limit_malloc_arenas(config.malloc_arena_max)  # as `worker.main` does
    client = await connect(ring=load_keyring(config))
    pool = await open_pool(database_url(config), max_size=pool_size)
    async with pool.acquire() as connection:
        await migrate(connection)
    policy = load_policy(config.complaint_sla_policy)
    http = httpx.AsyncClient()
    gateways = delivery_config.delivery(config, pool, http)  # None unless SMTP_HOST or webhooks
    complaints = build_worker(client, pool, notifier=gateways, policy=policy, role=role, **settings)
    twin = Worker(
        client,
        task_queue=TWIN_QUEUE,
        workflows=[ShapeTwin, SideBySideTwin] if role != "activities" else [],
        activities=[
            noop,
            CaseStoreActivities(pool).project_case,
            NotificationActivities(OutboxNotifier(pool)).notify,
        ]
        if role != "workflows"
        else [],
        **settings,
    )
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with complaints, twin:
        print("bench worker ready", flush=True)
        watch = asyncio.ensure_future(stalled(client, TASK_QUEUE))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait([watch, stopping], return_when=asyncio.FIRST_COMPLETED)
        if watch.done():  # as `worker.run_worker` does, with every thread's stack for the record
            print(f"bench worker stopped taking workflow tasks: {watch.result()}", file=sys.stderr)
            faulthandler.dump_traceback(all_threads=True)
            os._exit(EXIT_STALLED)
        watch.cancel()
    await http.aclose()
    await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
