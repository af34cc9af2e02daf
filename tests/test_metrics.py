"""The worker's Prometheus endpoint: the SDK's own metrics and the domain's, scraped as
Prometheus would."""

from __future__ import annotations

import asyncio
import urllib.request
from datetime import timedelta

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from case_metrics import metrics_runtime, report_open_cases
from case_store.db import Pool
from schemas import DEFAULT_POLICY
from starter.local import free_port
from tests.conftest import CONVERTER, eventually, running_desk


async def test_the_worker_exports_sdk_and_domain_metrics(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    address = f"127.0.0.1:{free_port()}"
    runtime = metrics_runtime(address)
    assert runtime is not None
    client = await Client.connect(
        env.client.service_client.config.target_host, namespace=env.client.namespace,
        data_converter=CONVERTER, runtime=runtime,
    )  # fmt: skip
    async with running_desk(client, env, pool, DEFAULT_POLICY, "metrics") as desk:
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
    assert any(line.startswith("complaints_started") and 'channel="app_form"' in line
               for line in lines)  # fmt: skip
    assert any("complaint_deadline_breaches" in line and 'severity="L2"' in line for line in lines)
    assert any(line.startswith("temporal_workflow_task_execution_latency") for line in lines)


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        body: bytes = response.read()
    return body.decode()
