"""API intake against a direct Temporal client start, in the same run.

    .venv/bin/python -m bench.api [--complaints 200] [--concurrency 20] [--rounds 5]

One system (embedded PostgreSQL, a Temporal dev server, the bench worker process: `bench.system`)
and one API server process (`complaint-desk api`, uvicorn) in front of it. Each round starts
`--complaints` complaints directly (`ComplaintDesk.start`, what a Python backend does) and as many
through `POST /v1/complaints` (JSON over HTTP with an API key, what every other backend does),
`--concurrency` at a time, alternating so that both meet the same worker load. Reported: starts
per second, latency p50/p99 from the caller's side, and the API process's CPU per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from statistics import median

import httpx

from api.keys import new_api_key
from bench.figures import percentile
from bench.lifecycle import BENCH_POLICY, intake
from bench.system import ROOT, System, cpu_seconds, running
from desk.service import ComplaintDesk
from encryption.codec import EncryptionCodec
from encryption.keys import KEYS_ENV
from starter.local import free_port, wait_for_port


@dataclass
class Round:
    mode: str
    starts: int
    wall: float
    latencies: list[float]
    api_cpu: float = 0.0

    @property
    def per_second(self) -> float:
        return self.starts / self.wall


async def load(
    count: int, concurrency: int, start: Callable[[int], Awaitable[None]]
) -> tuple[float, list[float]]:
    """`count` starts, `concurrency` in flight; the wall time and each start's latency."""
    latencies: list[float] = []
    queue = iter(range(count))

    async def caller() -> None:
        for i in queue:
            began = time.perf_counter()
            await start(i)
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return time.perf_counter() - began, latencies


async def api_process(system: System, token_entry: str) -> tuple[asyncio.subprocess.Process, str]:
    codec = system.client.data_converter.payload_codec
    assert isinstance(codec, EncryptionCodec)
    port = free_port()
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": system.client.service_client.config.target_host,
        # The system's database and home: else the API would start a PostgreSQL of its own
        # under the checkout's var/.
        "DATABASE_URL": system.database,
        "COMPLAINT_DESK_HOME": str(system.home),
        KEYS_ENV: codec.ring.render(),
        "COMPLAINT_API_KEYS": f"[{token_entry}]",
        "COMPLAINT_API_PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter.cli",
        "api",
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    await wait_for_port(port)
    return process, f"http://127.0.0.1:{port}"


async def main(args: argparse.Namespace) -> None:
    async with running(BENCH_POLICY) as system:
        token, entry = new_api_key("bench", ["intake"])
        entry = json.dumps({**json.loads(entry), "rate_per_second": 1e9, "burst": 1_000_000_000})
        server, url = await api_process(system, entry)
        desk = ComplaintDesk(system.client)
        tag = uuid.uuid4().hex[:6]
        limits = httpx.Limits(max_connections=args.concurrency)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:

                async def direct(prefix: str, i: int) -> None:
                    assert (await desk.start(intake(f"C-{prefix}-{i}"))).created

                async def through_api(prefix: str, i: int) -> None:
                    answer = await http.post(
                        "/v1/complaints", json=intake(f"C-{prefix}-{i}"), headers=headers
                    )
                    assert answer.status_code == 201, answer.text

                starts = {"direct": direct, "api": through_api}
                for mode, start in starts.items():  # warm both paths: connections, caches
                    await load(
                        args.concurrency, args.concurrency, partial(start, f"warm-{mode}-{tag}")
                    )
                rounds: list[Round] = []
                for n in range(args.rounds):
                    for mode, start in starts.items():
                        print(f"round {n + 1}: {mode} …", file=sys.stderr)
                        cpu = cpu_seconds(server.pid)
                        wall, latencies = await load(
                            args.complaints,
                            args.concurrency,
                            partial(start, f"{mode}-{n}-{tag}"),
                        )
                        used = cpu_seconds(server.pid) - cpu if mode == "api" else 0.0
                        rounds.append(Round(mode, args.complaints, wall, latencies, used))
        finally:
            server.terminate()
            await server.wait()
    report(rounds, args)


def report(rounds: list[Round], args: argparse.Namespace) -> None:
    print(
        f"\n{args.complaints} starts per round, {args.concurrency} in flight, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}\n"
    )
    print("| round | path | starts/s | p50 | p99 | API CPU per start |")
    print("|---|---|---|---|---|---|")
    for i, r in enumerate(rounds):
        cpu = f"{r.api_cpu / r.starts * 1000:.2f} ms" if r.mode == "api" else "-"
        print(
            f"| {i // 2 + 1} | {r.mode} | {r.per_second:.1f} | "
            f"{percentile(r.latencies, 50) * 1000:.0f} ms | "
            f"{percentile(r.latencies, 99) * 1000:.0f} ms | {cpu} |"
        )
    pairs = list(zip(rounds[::2], rounds[1::2], strict=True))
    rate = sorted(api.per_second / direct.per_second for direct, api in pairs)
    p99 = sorted(
        percentile(api.latencies, 99) / percentile(direct.latencies, 99) for direct, api in pairs
    )
    print(
        f"\nAPI / direct, median over the {len(pairs)} pairs (min–max): throughput "
        f"{median(rate):.2f} ({rate[0]:.2f}–{rate[-1]:.2f}), p99 {median(p99):.2f}× "
        f"({p99[0]:.2f}–{p99[-1]:.2f})"
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--complaints", type=int, default=200, help="starts per path per round")
    p.add_argument("--concurrency", type=int, default=20, help="starts in flight at once")
    p.add_argument("--rounds", type=int, default=5, help="rounds of direct, then API")
    return p.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
