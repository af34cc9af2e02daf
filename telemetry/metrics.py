"""Prometheus metrics of a worker: the SDK's own (task latencies, slots, polls) and the
domain's — complaints started, deadlines breached by severity, re-opens (counted by the
workflows, never while replaying), open cases by stage and stuck cases (read from the case
store).

    METRICS_ADDRESS=0.0.0.0:9464 python worker.py     # then scrape http://host:9464/metrics

The store-read gauges are refreshed by one loop per worker that outlives any outage of the
store: a failed refresh is logged (once when it starts failing, once when it recovers) and the
gauges keep their last figure until the store answers again.
"""

from __future__ import annotations

import asyncio

import structlog
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from case_store.db import Pool
from case_store.stuck_cases import STUCK_NOW
from schemas.case import OPEN_STAGES, Stage

OPEN_BY_STAGE = """SELECT stage, count(*) FROM complaints WHERE outcome IS NULL GROUP BY stage"""

log = structlog.get_logger("complaint_desk.metrics")


def metrics_runtime(address: str | None) -> Runtime | None:
    """A runtime exporting Prometheus metrics at `address` (`METRICS_ADDRESS`); None: off."""
    if not address:
        return None
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))


class CaseGauges:
    """`complaint_open_cases{stage}` and `complaint_stuck_cases`, set from the case store.
    Every worker reports the same whole-system figure: aggregate with max, not sum."""

    def __init__(self, runtime: Runtime) -> None:
        meter = runtime.metric_meter
        self._open = meter.create_gauge(
            "complaint_open_cases", "Open cases per stage, from the case store"
        )
        self._stuck = meter.create_gauge(
            "complaint_stuck_cases",
            "Cases whose workflow task keeps failing, as the watchdog last found them",
        )

    async def refresh(self, pool: Pool) -> None:
        counts = {stage.value: 0 for stage in Stage if stage in OPEN_STAGES}
        counts |= {row["stage"]: row["count"] for row in await pool.fetch(OPEN_BY_STAGE)}
        stuck = await pool.fetchval(STUCK_NOW)
        for stage, count in counts.items():
            self._open.with_additional_attributes({"stage": stage}).set(count)
        self._stuck.set(int(stuck))


async def report_open_cases(runtime: Runtime, pool: Pool, every: float = 30) -> None:
    """Keep the store-read gauges current, until cancelled; an error never ends the loop."""
    gauges = CaseGauges(runtime)
    failing = False
    while True:
        try:
            async with asyncio.timeout(max(every, 5)):  # a store that hangs is an outage too
                await gauges.refresh(pool)
        except Exception as err:  # the store is down or refused: say so, try again next tick
            if not failing:
                # The queries carry no parameters, so the error cannot quote a customer.
                log.warning(
                    "case gauges not refreshed; keeping the last figures",
                    error=type(err).__name__,
                    detail=str(err)[:200],
                )
            failing = True
        else:
            if failing:
                log.info("case gauges refreshed again")
            failing = False
        await asyncio.sleep(every)
