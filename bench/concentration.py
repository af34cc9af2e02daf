"""How fast is the concentration check with 100,000 complaints in the store?

    .venv/bin/python bench/concentration.py [--complaints 100000] [--products 200] [--runs 200]

Loads the complaints into a fresh embedded PostgreSQL (30 days of traffic), then times the exact
query classification runs (`case_store.investigation.recent_on_product`) against the same query
with index scans disabled, in the same run; reports medians, p99 and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.system import temporary_database
from case_store.db import open_pool
from case_store.fixtures import insert_complaints
from case_store.investigation import recent_on_product
from case_store.migrate import migrate

WINDOW = timedelta(hours=3)


async def timed(url: str, at: datetime, products: int, runs: int, seq_scan: bool) -> list[float]:
    """Time the query on a connection of its own: asyncpg caches prepared plans per connection,
    so the baseline's planner settings must be there before the statement is first prepared."""
    off = {"enable_indexscan": "off", "enable_bitmapscan": "off", "enable_indexonlyscan": "off"}
    connection = await asyncpg.connect(url, server_settings=off if seq_scan else {})
    await recent_on_product(connection, "P-0", "none", at, WINDOW)  # prepare and warm up
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        await recent_on_product(connection, f"P-{i % products}", "none", at, WINDOW)
        samples.append((time.perf_counter() - started) * 1000)
    await connection.close()
    return samples


async def main(complaints: int, products: int, runs: int) -> None:
    with temporary_database() as (_, url):
        pool = await open_pool(url, max_size=2)
        end = datetime(2026, 11, 23, tzinfo=UTC)
        async with pool.acquire() as connection:
            await migrate(connection)
            started = time.perf_counter()
            await insert_complaints(
                connection,
                complaints,
                products=products,
                start=end - timedelta(days=30),
                span=timedelta(days=30),
            )
            await connection.execute("ANALYZE complaints")
            loaded = time.perf_counter() - started
            count = await recent_on_product(connection, "P-0", "none", end, WINDOW)
            plan = await connection.fetch(
                "EXPLAIN SELECT count(*) FROM complaints WHERE product = $1 AND received_at > $2 "
                "AND received_at <= $3 AND complaint_id <> $4",
                "P-0",
                end - WINDOW,
                end,
                "none",
            )
        await pool.close()
        indexed = await timed(url, end, products, runs, seq_scan=False)
        scanned = await timed(url, end, products, runs, seq_scan=True)

    def p99(xs: list[float]) -> float:
        return sorted(xs)[int(len(xs) * 0.99) - 1]

    print(
        f"{complaints:,} complaints on {products} products over 30 days, loaded in {loaded:.1f} s"
    )
    print(f"P-0 has {count} complaints in the last 3 h; plan: {plan[0][0].strip()}")
    print(f"{'query':<28}{'median ms':>10}{'p99 ms':>9}")
    print(f"{'indexed (as shipped)':<28}{statistics.median(indexed):>10.3f}{p99(indexed):>9.3f}")
    print(
        f"{'sequential scan (baseline)':<28}{statistics.median(scanned):>10.3f}{p99(scanned):>9.3f}"
    )
    print(
        f"indexed is {statistics.median(scanned) / statistics.median(indexed):.0f}x faster "
        f"than the scan (medians, {runs} runs each)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.complaints, args.products, args.runs))
