"""What each worker and server setting is worth: full lifecycles per second under one setting at
a time, as a ratio of the SDK's defaults measured in the same run.

    .venv/bin/python -m bench.tuning [--lifecycles 150] [--concurrency 20] [--only NAME …]

Each variant gets a system of its own (`bench.system`: fresh PostgreSQL, dev server, bench
worker processes), one warm-up lifecycle, then the ladder's full rung with its late cases. The
defaults run first and again last, so drift on a shared machine shows instead of posing as an
effect.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import Rung, percentile
from bench.ladder import full_rung
from bench.lifecycle import BENCH_POLICY, full_lifecycle
from bench.system import running
from desk.service import ComplaintDesk


@dataclass(frozen=True)
class Variant:
    name: str
    what: str
    workers: list[dict[str, object]] = field(default_factory=lambda: [{}])
    server_flags: list[str] = field(default_factory=list)


DEFAULTS = Variant("defaults", "the SDK's defaults, one worker process, 10 connections")
VARIANTS = [
    Variant(
        "split",
        "workflows and activities in two worker processes",
        [{"role": "workflows"}, {"role": "activities"}],
    ),
    Variant(
        "unsandboxed",
        "workflows run without the sandbox (measured, not recommended)",
        [{"sandbox": False}],
    ),
    Variant(
        "pollers-2",
        "2 workflow and 2 activity pollers (default 5 each)",
        [{"max_concurrent_workflow_task_polls": 2, "max_concurrent_activity_task_polls": 2}],
    ),
    Variant(
        "pollers-10",
        "10 workflow and 10 activity pollers",
        [{"max_concurrent_workflow_task_polls": 10, "max_concurrent_activity_task_polls": 10}],
    ),
    Variant(
        "cache-10",
        "sticky cache of 10 runs (default 1,000): most tasks replay the history",
        [{"max_cached_workflows": 10}],
    ),
    Variant("pool-2", "2 PostgreSQL connections (default 10)", [{"pool_size": 2}]),
    Variant(
        "shard-io-4",
        "dev server: 4 concurrent I/O operations on its shard (default 1)",
        server_flags=["--dynamic-config-value", "history.shardIOConcurrency=4"],
    ),
]


@dataclass(frozen=True)
class Outcome:
    variant: Variant
    rung: Rung
    lateness: list[float]


async def measure(variant: Variant, lifecycles: int, concurrency: int) -> Outcome:
    async with running(BENCH_POLICY, variant.server_flags, variant.workers) as system:
        await full_lifecycle(ComplaintDesk(system.client), f"C-warm-{uuid.uuid4().hex[:6]}")
        rung, lateness, _ = await full_rung(variant.name, lifecycles, concurrency, system)
        return Outcome(variant, rung, lateness)


def report(outcomes: list[Outcome], args: argparse.Namespace) -> None:
    base = outcomes[0].rung.lifecycles / outcomes[0].rung.wall
    print(f"\n{args.lifecycles} full lifecycles per variant, {args.concurrency} in flight\n")
    print(
        "| variant | what | lifecycles/s | × defaults | worker CPU s / lifecycle | "
        "server CPU s / lifecycle | start p99 | lateness p50 | lateness p99 | worker peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for o in outcomes:
        r, n = o.rung, o.rung.lifecycles
        rate = n / r.wall
        print(
            f"| {o.variant.name} | {o.variant.what} | {rate:.2f} | {rate / base:.2f} | "
            f"{r.cpu['worker'] / n:.3f} | {r.cpu['server'] / n:.3f} | "
            f"{r.start_p99 * 1000:,.0f} ms | {percentile(o.lateness, 50) * 1000:,.0f} ms | "
            f"{percentile(o.lateness, 99) * 1000:,.0f} ms | {r.worker_peak_mb:.0f} |"
        )


async def main(args: argparse.Namespace) -> None:
    chosen = [v for v in VARIANTS if not args.only or v.name in args.only]
    outcomes = []
    for variant in [DEFAULTS, *chosen, DEFAULTS]:
        print(f"{variant.name}: {variant.what}", file=sys.stderr)
        outcomes.append(await measure(variant, args.lifecycles, args.concurrency))
    report(outcomes, args)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--lifecycles", type=int, default=150, help="per variant (default 150)")
    p.add_argument("--concurrency", type=int, default=20, help="lifecycles in flight at once")
    p.add_argument("--only", action="append", default=[], help="run only this variant (repeat)")
    return p.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
