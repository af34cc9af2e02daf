"""The system under benchmark, started from nothing in a temporary folder: an embedded
PostgreSQL, a Temporal dev server (persistent SQLite, the flags a user would run) and the bench
worker process; plus what the operating system says each of them costs (CPU, memory)."""

from __future__ import annotations

import asyncio
import compileall
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client

from case_store.db import embedded_url, release_embedded
from encryption.codec import data_converter
from encryption.keys import KEYS_ENV, KeyRing
from schemas.sla import SlaPolicy
from starter.local import dev_server_args, free_port, installed_binary, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
KEPT_LOGS = ROOT / "var" / "bench"  # a dead worker's log, kept past its run


@contextlib.contextmanager
def temporary_database(prefix: str = "complaint-bench-") -> Iterator[tuple[Path, str]]:
    """A temporary folder and an embedded PostgreSQL in it (its URL), the server stopped on
    leaving, even on error, before the folder goes: a server whose data folder is deleted
    can no longer be stopped by the library's exit hook, and would outlive the benchmark."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        pgdata = Path(folder) / "pgdata"
        try:
            yield Path(folder), embedded_url(pgdata)
        finally:
            release_embedded(pgdata)


def compile_workflow_modules() -> None:
    """The sandbox imports each workflow's own module afresh for every new run. A deployed
    worker reads that module's bytecode; these machines set `PYTHONDONTWRITEBYTECODE`, so
    without this every case would compile `workflows/complaint.py` from source (2% of the
    worker's CPU in the full rung) and every twin its small module: this machine's cost, not
    the lifecycle's."""
    for package in ("workflows", "bench"):
        compileall.compile_dir(ROOT / package, quiet=1)


@dataclass
class System:
    client: Client
    database: str
    home: Path
    server_pid: int
    worker_pids: list[int]
    postgres_pid: int

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by the server, the workers and PostgreSQL (all its processes)."""
        return {
            "server": cpu_seconds(self.server_pid),
            "worker": sum(cpu_seconds(pid) for pid in self.worker_pids),
            "postgres": cpu_seconds(self.postgres_pid, children=True),
        }

    def worker_memory_mb(self) -> tuple[float, float]:
        """The workers' (peak, current) resident memory, in MB, summed over worker processes."""
        peak = now = 0.0
        for pid in self.worker_pids:
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
            fields = dict(line.split(":", 1) for line in status)
            peak += int(fields["VmHWM"].split()[0]) / 1024
            now += int(fields["VmRSS"].split()[0]) / 1024
        return peak, now


def cpu_seconds(pid: int, children: bool = False) -> float:
    """utime+stime of a process, with its reaped children's; `children` adds its live children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    if children:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                other = stat.read_text().rsplit(")", 1)[1].split()
                if int(other[1]) == pid:
                    ticks += int(other[11]) + int(other[12])
    return ticks / TICKS


@contextlib.asynccontextmanager
async def running(
    policy: SlaPolicy,
    server_flags: Sequence[str] = (),
    workers_tuning: Sequence[Mapping[str, object]] = ({},),
    worker_env: Mapping[str, str] | None = None,
) -> AsyncIterator[System]:
    """`workers_tuning`: one bench worker process per item, with its `BENCH_WORKER` settings;
    `worker_env`: more settings for the workers (e.g. `SMTP_HOST` for `bench.delivery`)."""
    with temporary_database() as (home, database):
        postmaster = int((home / "pgdata" / "postmaster.pid").read_text().split()[0])
        port = free_port()
        server = await asyncio.create_subprocess_exec(
            installed_binary("temporal"),
            *dev_server_args(home / "temporal.db", port, None),
            *server_flags,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        workers: list[asyncio.subprocess.Process] = []
        try:  # from here on, whatever fails, what was started is stopped
            await wait_for_port(port)
            ring = KeyRing.generate("bench")
            policy_file = home / "policy.json"
            policy_file.write_text(policy.model_dump_json(), encoding="utf-8")
            env = {
                **os.environ,
                "TEMPORAL_ADDRESS": f"localhost:{port}",
                "DATABASE_URL": database,
                KEYS_ENV: ring.render(),
                "COMPLAINT_SLA_POLICY": str(policy_file),
                "LOG_LEVEL": "WARNING",
                "COMPLAINT_DESK_HOME": str(home),
                **(worker_env or {}),
            }
            compile_workflow_modules()
            for n, tuning in enumerate(workers_tuning):
                log = home / f"worker-{n}.log"
                worker = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bench.bench_worker",
                    cwd=ROOT,
                    env={**env, "BENCH_WORKER": json.dumps(tuning)},
                    stdout=subprocess.PIPE,
                    stderr=log.open("wb"),
                )
                workers.append(worker)
                assert worker.stdout is not None
                ready = await asyncio.wait_for(worker.stdout.readline(), 60)
                if b"ready" not in ready:
                    raise SystemExit(f"bench worker did not start: {log.read_text()}")
            client = await Client.connect(f"localhost:{port}", data_converter=data_converter(ring))
            yield System(client, database, home, server.pid, [w.pid for w in workers], postmaster)
        finally:
            # A worker that died in the run: say how, and keep its log (the home goes).
            for n, worker in enumerate(workers):
                if worker.returncode is not None:
                    kept = KEPT_LOGS / f"{home.name}-worker-{n}.log"
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(home / f"worker-{n}.log", kept)
                    tail = kept.read_text(errors="replace").splitlines()
                    print(
                        f"bench worker {n} exited with status {worker.returncode}; its log is "
                        f"kept in {kept}, and ends:",
                        *tail[-60:],
                        sep="\n",
                        file=sys.stderr,
                    )
            for process in (*workers, server):
                if process.returncode is None:
                    process.terminate()
                    await process.wait()
