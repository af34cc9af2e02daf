"""Delivery lag under the ladder's load: from a message falling due to its hand-over to the
gateway, with real lifecycles running (`bench.ladder.full_rung`), against the outbox-only
baseline in the same run.

    .venv/bin/python -m bench.delivery [--lifecycles 100] [--concurrency 20]

Two systems, one after the other, each started from nothing (`bench.system`):

1. outbox  — the worker only queues (no gateway configured): lag = due → row written;
2. smtp    — the worker sends every message over SMTP to `./dev up`'s mail catcher, in a
             process of its own (`python -m delivery.catcher`): lag = due → the catcher's 250
             recorded on the row (`delivered_at`); every lifecycle message must be a `.eml`.

"Due" is the notify activity's scheduled time on the server (or the end of the quiet hours),
kept on the outbox row as `due_at`. The SMTP run also checks that each message arrived once.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path

import asyncpg
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import percentile
from bench.ladder import full_rung
from bench.lifecycle import BENCH_POLICY
from bench.system import ROOT, running
from starter.local import free_port


@dataclass
class Lag:
    name: str
    messages: int
    wall: float
    lifecycles_per_s: float
    lags: list[float]
    retried: int = 0
    errors: Counter[str] = field(default_factory=Counter)


async def namespace_ready(client: Client, seconds: float = 30) -> None:
    """The dev server opens its port a moment before its namespace exists."""
    request = DescribeNamespaceRequest(namespace=client.namespace)
    async with asyncio.timeout(seconds):
        while True:
            try:
                await client.workflow_service.describe_namespace(request)
                return
            except RPCError:
                await asyncio.sleep(0.2)


async def measure(name: str, args: argparse.Namespace, smtp: bool) -> Lag:
    env: dict[str, str] = {}
    catcher = None
    with tempfile.TemporaryDirectory(prefix="delivery-bench-mail-") as mail:
        if smtp:
            port = free_port()
            catcher = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "delivery.catcher",
                mail,
                str(port),
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
            )
            assert catcher.stdout is not None
            await asyncio.wait_for(catcher.stdout.readline(), 30)
            env = {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(port),
                "SMTP_SECURITY": "none",
                "EMAIL_FALLBACK_ADDRESS": "unreachable@bench.localhost",
            }
        try:
            async with running(BENCH_POLICY, args.server_flag, worker_env=env) as system:
                await namespace_ready(system.client)
                began = time.perf_counter()
                rung, _, ids = await full_rung(name, args.lifecycles, args.concurrency, system)
                wall = time.perf_counter() - began
                connection = await asyncpg.connect(system.database)
                rows = await connection.fetch(
                    """SELECT key, due_at, created_at, delivered_at, status, attempts, last_error
                       FROM notification_outbox WHERE complaint_id = ANY($1)""",
                    ids,
                )
                await connection.close()
        finally:
            if catcher is not None:
                catcher.terminate()
                await catcher.wait()
        arrived = await asyncio.to_thread(message_digests, Path(mail))
    lags: list[float] = []
    for r in rows:
        # the outbox run: the row written; the SMTP run: the gateway's 250 recorded on the row
        handed = r["delivered_at"] if smtp else r["created_at"]
        if handed is None:
            raise SystemExit(f"{r['key']} was not delivered (status {r['status']})")
        lags.append((handed - r["due_at"]).total_seconds())
    if smtp:  # each of the lifecycles' messages arrived (the late cases' also do)
        missing = [r["key"] for r in rows if _digest(r["key"]) not in arrived]
        if missing:
            raise SystemExit(f"{len(missing)} of {len(rows)} messages never arrived")
    retried = sum(1 for r in rows if r["attempts"] > 1)
    errors = Counter(str(r["last_error"]) for r in rows if r["last_error"])
    return Lag(name, len(rows), wall, rung.lifecycles / rung.wall, lags, retried, errors)


def message_digests(folder: Path) -> set[str]:
    """The key digest at the head of each caught letter's Message-ID."""
    return {
        str(message_from_bytes(p.read_bytes())["Message-ID"]).split(".", 1)[0].lstrip("<")
        for p in folder.glob("*.eml")
    }


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:24]  # as in delivery.letters.message_id


def report(results: list[Lag], args: argparse.Namespace) -> None:
    base = results[0]
    print(
        f"\ndelivery lag under load: {args.lifecycles} lifecycles per run, "
        f"{args.concurrency} at once\n"
    )
    print("| run | messages | lifecycles/s | lag p50 | lag p99 | max | p99 vs outbox | retried |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        p99 = percentile(r.lags, 99)
        print(
            f"| {r.name} | {r.messages} | {r.lifecycles_per_s:.2f} | "
            f"{percentile(r.lags, 50) * 1000:,.0f} ms | {p99 * 1000:,.0f} ms | "
            f"{max(r.lags) * 1000:,.0f} ms | {p99 / percentile(base.lags, 99):.2f} | "
            f"{r.retried} |"
        )
        for error, n in r.errors.items():
            print(f"  {r.name}: {n} × {error}")


async def main(args: argparse.Namespace) -> None:
    results = [await measure("outbox", args, False), await measure("smtp", args, True)]
    report(results, args)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--lifecycles", type=int, default=100, help="per run (default 100)")
    p.add_argument("--concurrency", type=int, default=20, help="lifecycles in flight at once")
    p.add_argument("--server-flag", action="append", default=[], help="extra dev-server flag")
    return p.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
