"""The workspace's store work with 10,000 cases: queue, case page and search, p99 under 200 ms?

    .venv/bin/python -m bench.workspace [--cases 10000] [--requests 200]

Fills a fresh embedded PostgreSQL with generated cases written by the store's own writer
(`case_store.projection.write`, as the workflow's activity writes them: a subject and a
description in Chinese or English, two to four messages of the customer's and ours, a customer
with a phone and an e-mail address, 20 agents and 4 teams, a third of the cases closed), then
times on one connection what each page asks of the store:

- the queue: the agent's queue, their team queue, the new-activity markers and the version;
- the case page (its store parts; the case itself is read from Temporal): the read mark, the
  case's timeline rows and the customer's other cases (by contact);
- search: two Chinese characters, an English word, two words, a contact, filters alone, the
  second page of a word search, the agent's own cases.

The baseline in the same run is a trivial indexed lookup (one complaint by its id), so a
loaded machine shows as a high baseline rather than as a slow query.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from bench.figures import percentile
from bench.system import temporary_database
from case_store import markers, projection
from case_store import queue as store_queue
from case_store import search as store_search
from case_store.db import open_pool
from case_store.fixtures import case_projection
from case_store.migrate import migrate
from case_store.search import Filters, Status
from schemas.intake import Contact
from schemas.store import CaseProjection

NOW = datetime.now(UTC)
TARGET_MS = 200
AGENTS = [f"agent-{n}" for n in range(20)]
TEAMS = ["team-after-sales", "team-logistics", "team-billing", "team-quality"]
PRODUCTS = ["WM-200", "WM-300", "RF-1", "TV-55", "AC-9", "PH-12"]
SUBJECTS = [
    "洗衣机漏水",
    "冰箱不制冷",
    "快递三天没到",
    "电视黑屏",
    "空调噪音很大",
    "退款一直没到账",
    "Washing machine leaks",
    "Delivery is late",
    "Refund not received",
    "Screen flickers",
]
SAYINGS = [
    "地板都泡了",
    "客服电话一直打不通",
    "安装师傅没有按时上门",
    "包装破损，配件缺失",
    "the floor is flooded",
    "nobody answers the hotline",
    "the engineer never came",
    "the box arrived damaged",
]
ANSWERS = ["非常抱歉，我们马上处理", "已安排工程师上门", "We are sorry, an engineer will call"]
STAGES = ["investigate", "investigate", "resolve", "track", "close", "follow_up"]
SEVERITIES = ["L1", "L2", "L2", "L3"]


def phone(i: int) -> str:
    return f"+86 139 {i // 10000:04d} {i % 10000:04d}"


def generated(i: int, rng: random.Random) -> CaseProjection:
    owner = TEAMS[i % len(TEAMS)] if i % 10 == 0 else AGENTS[i % len(AGENTS)]
    received = NOW - timedelta(minutes=17 * i)
    messages = [("customer", rng.choice(SAYINGS))]
    for _ in range(rng.randint(1, 3)):
        messages.append((owner, rng.choice(ANSWERS)))
        if rng.random() < 0.5:
            messages.append(("customer", rng.choice(SAYINGS)))
    return case_projection(
        f"C-w{i:05d}",
        received_at=received,
        subject=f"{rng.choice(SUBJECTS)} #{i}",
        description=" ".join(rng.sample(SAYINGS, 3)),
        product=PRODUCTS[i % len(PRODUCTS)],
        severity=SEVERITIES[i % len(SEVERITIES)],
        stage=STAGES[i % len(STAGES)],
        outcome="closed_confirmed" if i % 3 == 0 else None,
        owner=owner,
        customer_id=f"U-{i % 7000}",
        customer_name=f"客户{i}",
        contact=Contact(phone=phone(i % 7000), email=f"c{i % 7000}@example.com"),
        messages=messages[:4],
    )


async def fill(url: str, cases: int) -> None:
    """Written by four connections at once, as four workers' activities would."""
    pool = await open_pool(url, max_size=4)
    async with pool.acquire() as connection:
        await migrate(connection)
    rng = random.Random(7)
    made = [generated(i, rng) for i in range(cases)]

    async def writer(part: int) -> None:
        async with pool.acquire() as connection:
            for case in made[part::4]:
                await projection.write(connection, case)

    await asyncio.gather(*(writer(p) for p in range(4)))
    async with pool.acquire() as connection:
        await connection.execute("ANALYZE")
        # the agents have opened about half of their cases once
        for i in range(0, cases, 2):
            await markers.opened(connection, f"C-w{i:05d}", AGENTS[i % len(AGENTS)], 1, NOW)
    await pool.close()


Probe = Callable[[asyncpg.Connection, int], Awaitable[object]]


async def timed(connection: asyncpg.Connection, probe: Probe, n: int) -> list[float]:
    await probe(connection, -1)  # warm up
    samples = []
    for k in range(n):
        started = time.perf_counter()
        await probe(connection, k)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def probes(cases: int) -> dict[str, Probe]:
    def agent(k: int) -> str:
        return AGENTS[k % len(AGENTS)]

    def case(k: int) -> str:
        return f"C-w{(k * 7919) % cases:05d}"

    async def baseline(c: asyncpg.Connection, k: int) -> object:
        return await c.fetchrow(
            "SELECT complaint_id, stage, owner FROM complaints WHERE complaint_id = $1", case(k)
        )

    async def queue(c: asyncpg.Connection, k: int) -> object:
        mine = store_queue.QueueScope(owner=agent(k))
        team = store_queue.QueueScope(owner=agent(k), team=True, teams=(TEAMS[k % 4],))
        page = await store_queue.queue(c, mine, NOW)
        await store_queue.queue(c, team, NOW)
        await store_queue.version(c, mine)
        await store_queue.version(c, team)
        return await markers.unread(c, agent(k), [r.complaint_id for r in page.rows])

    async def queue_alone(c: asyncpg.Connection, k: int) -> object:
        return await store_queue.queue(c, store_queue.QueueScope(owner=agent(k)), NOW)

    async def markers_alone(c: asyncpg.Connection, k: int) -> object:
        rows = await c.fetch(
            "SELECT complaint_id FROM complaints WHERE owner = $1 LIMIT 200", agent(k)
        )
        return await markers.unread(c, agent(k), [r["complaint_id"] for r in rows])

    async def case_page(c: asyncpg.Connection, k: int) -> object:
        cid = case(k)
        row = await c.fetchrow(
            "SELECT workflow_id, customer_id FROM complaints WHERE complaint_id = $1", cid
        )
        await c.fetch(
            "SELECT seq, at, kind, actor, summary FROM complaint_events "
            "WHERE workflow_id = $1 ORDER BY seq",
            row["workflow_id"],
        )
        await markers.opened(c, cid, agent(k), 3, NOW)
        others = Filters(contact=store_search.contact_key(row["customer_id"]))
        return await store_search.search(c, others, limit=10)

    def searching(filters: Callable[[int], Filters], pages: int = 1) -> Probe:
        async def probe(c: asyncpg.Connection, k: int) -> object:
            page = await store_search.search(c, filters(k))
            for _ in range(pages - 1):
                page = await store_search.search(c, filters(k), page.next)
            return page

        return probe

    return {
        "baseline: one complaint by id": baseline,
        "queue (mine + team + markers + versions)": queue,
        "of which: the agent's queue query alone": queue_alone,
        "of which: new-activity markers of 200 rows": markers_alone,
        "case page, store parts (timeline, read mark, other cases)": case_page,
        "search: two Chinese characters (漏水)": searching(lambda k: Filters(words=("漏水",))),
        "search: an English word (flooded)": searching(lambda k: Filters(words=("flooded",))),
        "search: two words (上门 refund)": searching(lambda k: Filters(words=("上门", "refund"))),
        "search: a rare word (#id number)": searching(
            lambda k: Filters(words=(f"#{(k * 7919) % cases}",))
        ),
        "search: a contact (phone)": searching(
            lambda k: Filters(contact=store_search.contact_key(phone(k % 7000)))
        ),
        "search: open, L1, a product": searching(
            lambda k: Filters(status=Status.OPEN, severity="L1", product="WM")
        ),
        "search: page 2 of 冰箱": searching(lambda k: Filters(words=("冰箱",)), pages=2),
        "search: mine, open": searching(lambda k: Filters(owners=(agent(k),), status=Status.OPEN)),
    }


async def measure(url: str, cases: int, n: int) -> list[tuple[str, list[float]]]:
    connection = await asyncpg.connect(url)
    try:
        return [(name, await timed(connection, p, n)) for name, p in probes(cases).items()]
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with temporary_database("complaint-bench-workspace-") as (_, url):
        started = time.perf_counter()
        asyncio.run(fill(url, args.cases))
        loaded = time.perf_counter() - started
        results = asyncio.run(measure(url, args.cases, args.requests))
    floor = percentile(results[0][1], 99)
    print(f"{args.cases} cases written through the projection in {loaded:.0f} s")
    print("| store work | n | p50 ms | p99 ms | max ms | p99 / baseline p99 | p99 < 200 ms |")
    print("|---|---|---|---|---|---|---|")
    for name, samples in results:
        p50, p99 = percentile(samples, 50), percentile(samples, 99)
        met = "yes" if p99 < TARGET_MS else "**no**"
        print(
            f"| {name} | {len(samples)} | {p50:.1f} | {p99:.1f} | {max(samples):.1f} "
            f"| {p99 / floor:.1f} | {met} |"
        )


if __name__ == "__main__":
    main()
