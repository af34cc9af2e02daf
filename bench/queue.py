"""The agent's queue page with 1,000 open cases in the store: is its p99 under 200 ms?

    .venv/bin/python -m bench.queue [--open 1000] [--ended 2000] [--requests 300]

Fills a fresh embedded PostgreSQL with projected cases (written by `case_store.projection.write`,
as the workflow's activity writes them: deadlines, tasks, timeline rows), serves the workspace
on a real uvicorn and asks it over HTTP, signed in, one request after another. Three layouts:
the open cases spread over 20 agents (50 each, a working desk), all on one agent (its page shows
the first 200), and that agent's queue filtered to one severity. Baselines in the same run: the
same server's static stylesheet (the HTTP floor) and the queue query alone on a connection.
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import re
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import uvicorn
from temporalio.testing import WorkflowEnvironment

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import percentile
from bench.system import temporary_database
from case_store import projection
from case_store import queue as store_queue
from case_store.db import open_pool
from case_store.migrate import migrate
from configuration.settings import Settings
from desk.service import ComplaintDesk
from schemas.case import CaseSnapshot, TimelineEntry
from schemas.store import CaseProjection
from starter.local import installed_binary
from web import app
from web.users import StaffRole, StaffUser, add

NOW = datetime.now(UTC)
STAGES = ["investigate", "investigate", "resolve", "track", "close", "follow_up"]
SEVERITIES = ["L1", "L2", "L2", "L3"]


def _case(i: int, owner: str, ended: bool) -> CaseProjection:
    received = NOW - timedelta(hours=1 + i % 90)
    severity = SEVERITIES[i % len(SEVERITIES)]
    due = received + timedelta(hours=24 + i % 48)
    deadlines = [
        {
            "kind": "acknowledge",
            "round": 0,
            "severity": None,
            "started_at": received,
            "due_at": received + timedelta(minutes=5),
            "met_at": received,
        },
        {
            "kind": "respond",
            "round": 0,
            "severity": severity,
            "started_at": received,
            "due_at": due,
            "breached_at": due if due < NOW and i % 3 == 0 else None,
            "met_at": due - timedelta(hours=1) if i % 3 == 1 else None,
        },
        {
            "kind": "resolve",
            "round": 0,
            "severity": severity,
            "started_at": received,
            "due_at": due + timedelta(days=2),
            "paused_at": received + timedelta(hours=1) if i % 5 == 0 else None,
        },
    ]
    tasks = (
        [
            {
                "number": 1,
                "department": "logistics",
                "owner": "wl-chen",
                "title": "查询物流",
                "opened_by": owner,
                "opened_at": received,
                "due_at": due,
                "blocking": True,
            }
        ]
        if i % 7 == 0
        else []
    )
    pending = [d for d in deadlines if d.get("met_at") is None and d.get("breached_at") is None]
    snapshot = CaseSnapshot.model_validate(
        {
            "complaint_id": f"C-q{i:05d}",
            "workflow_id": f"complaint-C-q{i:05d}",
            "stage": "done" if ended else STAGES[i % len(STAGES)],
            "outcome": "closed_confirmed" if ended else None,
            "closed_by": None,
            "channel": "app_form",
            "subject": f"洗衣机漏水 {i}",
            "product": f"WM-{i % 30}",
            "category": "product",
            "severity": severity,
            "risk": "low",
            "owner": owner,
            "escalation_level": "owner",
            "reopen_count": 0,
            "deadlines": deadlines,
            "next_deadline": min(pending, key=lambda d: cast(datetime, d["due_at"]))
            if pending
            else None,
            "plan": None,
            "tasks": tasks,
            "classification": None,
            "policy_version": "bench",
            "received_at": received,
            "result_delivered_at": None,
            "closed_at": None,
            "survey_sent_at": None,
            "survey": None,
            "timeline_length": 3,
            "runs": 1,
        }
    )
    entries = [
        TimelineEntry(
            seq=n,
            at=received + timedelta(minutes=n),
            stage="investigate",
            kind="agent_message",
            actor=owner,
            summary="已回复",
            public=True,
        )
        for n in range(3)
    ]
    return CaseProjection(
        snapshot=snapshot,
        customer_id=f"U-{i}",
        customer_name=None,
        description="bench",
        entries=entries,
    )


class Client:
    """A signed-in person's cookie jar over plain HTTP (urllib), as a browser would ask."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path) as answer:
            body: bytes = answer.read()
            return body

    def sign_in(self, username: str, password: str) -> None:
        page = self.get("/signin").decode()
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token
        form = urllib.parse.urlencode(
            {"csrf": token.group(1), "username": username, "password": password}
        ).encode()
        with self.opener.open(self.base + "/signin", data=form) as answer:
            assert answer.geturl().endswith("/queue"), answer.geturl()

    def timed(self, path: str, n: int) -> list[float]:
        self.get(path)  # warm up
        samples = []
        for _ in range(n):
            started = time.perf_counter()
            self.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        return samples


@contextmanager
def serving(settings: Settings, url: str, ready: threading.Event) -> Iterator[str]:
    """The workspace in a thread of its own (its own event loop), so the client's waiting does
    not sit in the server's loop."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server: list[uvicorn.Server] = []

    async def run() -> None:
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=installed_binary("temporal-test-server")
        )
        pool = await open_pool(url, max_size=10)
        asgi = app.build(settings, ComplaintDesk(env.client), pool)
        server.append(
            uvicorn.Server(
                uvicorn.Config(asgi, lifespan="off", access_log=False, log_level="warning")
            )
        )
        ready.set()
        await server[0].serve(sockets=[sock])
        await pool.close()
        await env.shutdown()

    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    ready.wait(60)
    while not server[0].started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server[0].should_exit = True
        thread.join(30)


async def fill(url: str, open_cases: int, ended: int, owners: list[str]) -> None:
    pool = await open_pool(url, max_size=4)
    async with pool.acquire() as connection:
        await migrate(connection)
        await connection.execute(
            "TRUNCATE complaints, complaint_events, customers, case_library CASCADE"
        )
        for i in range(open_cases + ended):
            await projection.write(connection, _case(i, owners[i % len(owners)], i >= open_cases))
        await connection.execute("ANALYZE")
    await pool.close()


async def query_alone(url: str, owner: str, n: int) -> list[float]:
    pool = await open_pool(url, max_size=1)
    samples = []
    async with pool.acquire() as connection:
        for _ in range(n + 1):
            started = time.perf_counter()
            await store_queue.queue(connection, store_queue.QueueScope(owner), NOW)
            samples.append((time.perf_counter() - started) * 1000)
    await pool.close()
    return samples[1:]


def row(name: str, samples: list[float], floor: float) -> str:
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    return f"| {name} | {len(samples)} | {p50:.1f} | {p99:.1f} | {max(samples):.1f} | {p99 / floor:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--open", type=int, default=1000)
    parser.add_argument("--ended", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with temporary_database() as (tmp, url):
        settings = Settings(complaint_desk_home=Path(tmp), web_secret="bench-secret")
        add(
            settings.users_file,
            StaffUser(username="agent-0", name="A", role=StaffRole.AGENT),
            "bench-password",
        )
        results = []
        for layout, owners in (
            ("20 agents", [f"agent-{n}" for n in range(20)]),
            ("one agent", ["agent-0"]),
        ):
            started = time.perf_counter()
            asyncio.run(fill(url, args.open, args.ended, owners))
            loaded = time.perf_counter() - started
            with serving(settings, url, threading.Event()) as base:
                client = Client(base)
                client.sign_in("agent-0", "bench-password")
                floor = client.timed("/static/desk.css", args.requests)
                p99_floor = percentile(floor, 99)
                mine = args.open // len(owners)
                results += [
                    f"| **{layout}** ({mine} open cases per agent, {args.open} open and {args.ended} ended in all; loaded in {loaded:.0f} s) | | | | | |",
                    row("static stylesheet (HTTP floor)", floor, p99_floor),
                    row(
                        "queue query alone (asyncpg)",
                        asyncio.run(query_alone(url, "agent-0", args.requests)),
                        p99_floor,
                    ),
                    row("queue page", client.timed("/queue", args.requests), p99_floor),
                    row(
                        "queue page, severity L1",
                        client.timed("/queue?severity=L1", args.requests),
                        p99_floor,
                    ),
                    row(
                        "queue version (auto-refresh poll)",
                        client.timed("/queue/version", args.requests),
                        p99_floor,
                    ),
                ]
    print("| request | n | p50 ms | p99 ms | max ms | p99 / floor |")
    print("|---|---|---|---|---|---|")
    print("\n".join(results))


if __name__ == "__main__":
    main()
