"""Prometheus metrics of a worker: the SDK's own (task latencies, slots, polls) and the
domain's — complaints started, deadlines breached by severity, re-opens (counted by the
workflows, never while replaying), and open cases by stage (read from the case store).

    METRICS_ADDRESS=0.0.0.0:9464 python worker.py     # then scrape http://host:9464/metrics
"""

from __future__ import annotations

import asyncio
import os

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from case_store.db import Pool
from schemas.case import Stage
from workflows.stages import OPEN_STAGES

METRICS_ENV = "METRICS_ADDRESS"
OPEN_BY_STAGE = """SELECT stage, count(*) FROM complaints WHERE outcome IS NULL GROUP BY stage"""


def metrics_runtime(address: str | None = None) -> Runtime | None:
    """A runtime exporting Prometheus metrics at `address` (or $METRICS_ADDRESS); None: off."""
    address = address or os.environ.get(METRICS_ENV)
    if not address:
        return None
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))


async def report_open_cases(runtime: Runtime, pool: Pool, every: float = 30) -> None:
    """Keep the gauge `complaint_open_cases{stage}` at the case store's count, until cancelled.
    Every worker reports the same whole-system figure: aggregate with max, not sum."""
    gauge = runtime.metric_meter.create_gauge(
        "complaint_open_cases", "Open cases per stage, from the case store"
    )
    while True:
        counts = {stage.value: 0 for stage in Stage if stage in OPEN_STAGES}
        counts |= {row["stage"]: row["count"] for row in await pool.fetch(OPEN_BY_STAGE)}
        for stage, count in counts.items():
            gauge.with_additional_attributes({"stage": stage}).set(count)
        await asyncio.sleep(every)
