"""The complaint worker. Stateless: run as many as the load needs, anywhere that reaches Temporal.

    python worker.py          # connection from Temporal's environment configuration

It refuses to start on a namespace without the complaint search attributes, which would otherwise
make every case's first workflow task fail (`complaint-desk setup` registers them).
"""

from __future__ import annotations

import asyncio
import signal

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

import logs
from activities.classification import classify_complaint
from activities.notifier import LogNotifier, NotificationActivities, Notifier
from activities.policy import PolicySource, load_policy
from schemas.sla import SlaPolicy
from starter.client import connect, missing_search_attributes
from workflows.complaint import TASK_QUEUE, ComplaintWorkflow


def build_worker(
    client: Client,
    *,
    notifier: Notifier | None = None,
    policy: SlaPolicy | None = None,
    task_queue: str = TASK_QUEUE,
) -> Worker:
    """The one place that says what a complaint worker runs; tests build theirs here too."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[ComplaintWorkflow],
        activities=[
            classify_complaint,
            NotificationActivities(notifier or LogNotifier()).notify,
            PolicySource(policy or load_policy()).load_sla_policy,
        ],
    )


async def run_worker(client: Client, *, policy: SlaPolicy | None = None) -> None:
    """Run until SIGINT/SIGTERM, then finish in-flight tasks and stop."""
    log = structlog.get_logger("complaint_desk.worker")
    missing = await missing_search_attributes(client)
    if missing:
        raise SystemExit(
            f"namespace lacks search attributes {', '.join(missing)}: run `complaint-desk setup`"
        )
    policy = policy or load_policy()
    worker = build_worker(client, policy=policy)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker started", task_queue=TASK_QUEUE, policy=policy.version)
    async with worker:
        await stop.wait()
    log.info("worker stopped")


def main() -> None:
    logs.configure()

    async def _run() -> None:
        await run_worker(await connect())

    asyncio.run(_run())


if __name__ == "__main__":
    main()
