"""An agent's click as the agent feels it: from pressing the button to seeing the result.

    .venv/bin/python -m bench.click [--cases 1000] [--clicks 200] [--cli-clicks 40] [--load 20]
                                    [--worker '{"max_cached_workflows": 1000}']

Starts its own system (`bench.system`: embedded PostgreSQL, a Temporal dev server, the bench
worker) and `complaint-desk api` (uvicorn: the HTTP API under /v1 and the staff workspace on one
server, as `./dev up` serves them), opens `--cases` complaints owned by one agent, then, with
the ladder's load beside it (`--load` full lifecycles in flight, driven by `bench.lifecycle`'s
`full_lifecycle` in a process of its own, as the ladder's full rung drives them), records an
investigation finding on those cases, one click after another, three ways in turn:

- web: the case page's form posted as a browser posts it (signed in, the session's CSRF token,
  httpx), the 303 followed and the case page that shows the result read to its last byte;
- API: `POST /v1/complaints/{id}/finding` with an API key acting for the agent, to its answer;
- CLI: `complaint-desk finding ID SUMMARY --agent …` as a subprocess, wall time, two ways: as
  it talks to Temporal itself (`cli`), and as it sends the action to the running API with that
  same key (`cli-api`: `COMPLAINT_DESK_API_URL`, `COMPLAINT_DESK_API_KEY`).

The paths alternate click by click, so each meets the same load. Reported: p50 and p99 of
each (the web click also split into its post, to the 303, and the page after it), the
lifecycles the load completed meanwhile, and the load average; then, from the clicked cases'
histories, where each click's update spent its time on the server's side (its workflow task
waiting for the worker, and the worker's time on it: a case replayed from its history shows
there), and how many workflows were running against the worker's cache (`--worker` sets the
bench worker's SDK settings, as `bench.tuning` does).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from temporalio.api.enums.v1 import TaskQueueKind
from temporalio.api.history.v1 import HistoryEvent
from temporalio.service import RPCError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.keys import new_api_key
from bench.api import api_process
from bench.figures import percentile
from bench.lifecycle import AGENT, BENCH_POLICY, full_lifecycle, intake
from bench.system import ROOT, System, running
from desk.connection import connect
from desk.service import ComplaintDesk
from encryption.codec import EncryptionCodec
from encryption.keys import KEYS_ENV, KeyRing
from schemas.sla import SlaPolicy
from web.users import StaffRole, StaffUser, add
from workflows.ids import workflow_id_for

PASSWORD = "bench-click-password"
# The ladder's policy, its case deadlines an hour away: the open cases wait for their agent, as
# open cases do, instead of all breaching and escalating while they are clicked; the load's
# lifecycles answer in time either way, and their follow-up wait (1 s) is the ladder's.
CLICK_POLICY = SlaPolicy.model_validate(
    {
        **BENCH_POLICY.model_dump(mode="json"),
        "version": "bench-click",
        "acknowledge": "PT1H",
        "targets": {level: {"respond": "PT1H", "resolve": "PT2H"} for level in ("L1", "L2", "L3")},
        "triage": "PT1H",
    }
)
PATHS = ("web", "api", "cli", "cli-api")
PARTS = ("web: the post", "web: the page")  # the web click's two requests


@dataclass
class Clicks:
    seconds: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PATHS + PARTS})
    cases: dict[str, list[str]] = field(default_factory=lambda: {p: [] for p in PATHS})
    # workflows running at the first click and at the last (against the worker's cache)
    running: list[int | None] = field(default_factory=list)


async def open_cases(desk: ComplaintDesk, database: str, count: int, concurrency: int) -> list[str]:
    """`count` complaints received by the agent, `concurrency` at a time: each in the case
    store (the worker has taken it in) before its starter starts the next. Cases arrive at a
    desk one by one; a thousand first tasks at once stalled the bench worker on the shared
    machine (docs/benchmarks.md, "The agent's click")."""
    tag = uuid.uuid4().hex[:6]
    ids = [f"C-click-{tag}-{i}" for i in range(count)]
    queue = iter(ids)
    pool = await asyncpg.create_pool(database, min_size=1, max_size=concurrency)

    async def starter() -> None:
        for cid in queue:
            await desk.start(intake(cid))
            async with within(f"{cid} reaching the case store", 300):
                while True:  # polled as the ladder's driver polls a case: nothing to wait on
                    sql = "SELECT 1 FROM complaints WHERE complaint_id = $1"
                    if await pool.fetchval(sql, cid):
                        break
                    await asyncio.sleep(0.2)
            print(f"\r  opened {ids.index(cid) + 1}/{count}", end="", file=sys.stderr)

    try:
        await asyncio.gather(*(starter() for _ in range(concurrency)))
    finally:
        await pool.close()
    print(file=sys.stderr)
    return ids


class Browser:
    """A signed-in agent's browser: its cookies, and the CSRF token its case page carries."""

    def __init__(self, base: str) -> None:
        self.http = httpx.AsyncClient(base_url=base, follow_redirects=True, timeout=60)
        self.csrf = ""

    async def sign_in(self, username: str, password: str, some_case: str) -> None:
        page = await self.http.get("/signin")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token, page.text[:500]
        answer = await self.http.post(
            "/signin", data={"csrf": token.group(1), "username": username, "password": password}
        )
        assert answer.url.path == "/queue", answer.url
        case = await self.http.get(f"/cases/{some_case}")
        token = re.search(r'name="csrf" value="([^"]+)"', case.text)
        assert case.status_code == 200 and token, case.text[:500]
        self.csrf = token.group(1)

    async def click(self, cid: str, summary: str) -> tuple[float, float]:
        """The finding form posted; the redirect followed to the page, read in full. The whole
        click, and its post alone (to the 303 read in full)."""
        began = time.perf_counter()
        page = await self.http.post(
            f"/cases/{cid}/finding", data={"csrf": self.csrf, "summary": summary}
        )
        took = time.perf_counter() - began
        assert page.status_code == 200 and "done=finding" in str(page.url), (page.url, page.text)
        assert summary in page.text, "the page does not show the finding just recorded"
        [posted] = page.history
        return took, posted.elapsed.total_seconds()


async def api_click(http: httpx.AsyncClient, token: str, cid: str, summary: str) -> float:
    began = time.perf_counter()
    answer = await http.post(
        f"/v1/complaints/{cid}/finding",
        json={"summary": summary},
        headers={"Authorization": f"Bearer {token}", "X-Acting-For": AGENT},
    )
    took = time.perf_counter() - began
    assert answer.status_code == 200 and answer.json()["action"] == "finding", answer.text
    return took


def cli_command() -> list[str]:
    """The installed `complaint-desk` beside this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("complaint-desk")
    if script.exists():
        return [str(script)]
    found = shutil.which("complaint-desk")
    return [found] if found else [sys.executable, "-m", "starter.cli"]


async def cli_click(env: dict[str, str], cid: str, summary: str) -> float:
    began = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *cli_command(),
        "finding",
        cid,
        summary,
        "--agent",
        AGENT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await process.communicate()
    took = time.perf_counter() - began
    assert process.returncode == 0 and b"accepted" in out, (out + err).decode()[-2000:]
    return took


@contextlib.asynccontextmanager
async def load_beside(system: System, concurrency: int) -> AsyncIterator[list[int]]:
    """The ladder's full lifecycles, `concurrency` in flight, in a process of their own until
    the block ends; yields the count of lifecycles it has completed (one item, kept current)."""
    completed = [0]
    if concurrency <= 0:
        yield completed
        return
    codec = system.client.data_converter.payload_codec
    assert isinstance(codec, EncryptionCodec)
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": system.client.service_client.config.target_host,
        KEYS_ENV: codec.ring.render(),
    }
    log = system.home / "load.log"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.click",
        "--drive-load",
        str(concurrency),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log.open("wb"),
    )
    assert process.stdout is not None
    stdout = process.stdout

    async def count() -> None:
        async for _ in stdout:
            completed[0] += 1

    counting = asyncio.create_task(count())
    try:
        yield completed
        if process.returncode is not None:  # it stopped by itself: the figures had no load
            raise SystemExit(f"the load driver failed:\n{log.read_text()[-3000:]}")
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()
        await counting


async def drive_load(concurrency: int) -> None:
    """`--drive-load`: full lifecycles, `concurrency` at a time, one line out per completed one,
    until terminated."""
    desk = ComplaintDesk(await connect(ring=KeyRing.parse(os.environ[KEYS_ENV])))
    tag = uuid.uuid4().hex[:6]
    n = 0

    async def driver(k: int) -> None:
        nonlocal n
        while True:
            n += 1
            await full_lifecycle(desk, f"C-load-{tag}-{k}-{n}")
            print(".", flush=True)

    await asyncio.gather(*(driver(k) for k in range(concurrency)))


async def main(args: argparse.Namespace) -> None:
    async with running(CLICK_POLICY, workers_tuning=[json.loads(args.worker)]) as system:
        add(
            system.home / "users.json",
            StaffUser(username=AGENT, name="张伟", role=StaffRole.AGENT),
            PASSWORD,
        )
        token, entry = new_api_key("bench-click", ["agent"], acts_for=True)
        entry = json.dumps({**json.loads(entry), "rate_per_second": 1e9, "burst": 1_000_000_000})
        server, url = await api_process(system, entry)
        desk = ComplaintDesk(system.client)
        codec = system.client.data_converter.payload_codec
        assert isinstance(codec, EncryptionCodec)
        cli_env = {
            **os.environ,
            "TEMPORAL_ADDRESS": system.client.service_client.config.target_host,
            "DATABASE_URL": system.database,
            "COMPLAINT_DESK_HOME": str(system.home),
            KEYS_ENV: codec.ring.render(),
            "LOG_LEVEL": "WARNING",
        }
        through_api = {**cli_env, "COMPLAINT_DESK_API_URL": url, "COMPLAINT_DESK_API_KEY": token}
        try:
            print(f"opening {args.cases} cases …", file=sys.stderr)
            began = time.perf_counter()
            cases = await open_cases(desk, system.database, args.cases, 10)
            opened = time.perf_counter() - began
            browser = Browser(url)
            async with browser.http, httpx.AsyncClient(base_url=url, timeout=60) as http:
                await browser.sign_in(AGENT, PASSWORD, cases[0])
                clicks, load, wall = await measure(
                    args, system, cases, browser, http, token, (cli_env, through_api)
                )
            tasks = {p: await update_tasks(desk, clicks.cases[p]) for p in ("web", "api")}
        finally:
            server.terminate()
            await server.wait()
    report(args, clicks, opened, load, wall)
    report_tasks(args, clicks, tasks)


async def measure(
    args: argparse.Namespace,
    system: System,
    cases: Sequence[str],
    browser: Browser,
    http: httpx.AsyncClient,
    token: str,
    cli_envs: tuple[dict[str, str], dict[str, str]],
) -> tuple[Clicks, int, float]:
    """`cli_envs`: the CLI's environment talking to Temporal, and sending to the API."""
    clicks = Clicks()
    async with load_beside(system, args.load) as completed:
        # warm-up: the load running, connections open, each path once
        await asyncio.sleep(args.settle)
        async with within("the warm-up clicks", 300):
            await browser.click(cases[-1], "warm-up")
            await api_click(http, token, cases[-1], "warm-up")
            for env in cli_envs:
                await cli_click(env, cases[-1], "warm-up")
        before = completed[0]
        clicks.running.append(await running_workflows(system))
        began = time.perf_counter()
        for n in range(args.clicks):
            # spread over the open cases, a different one for each path
            cid = [cases[(4 * n + k) * 7919 % len(cases)] for k in range(4)]
            summary = f"阀门松动 {n}"
            async with within(f"web click {n}"):
                took, posted = await browser.click(cid[0], summary)
                clicks.seconds["web"].append(took)
                clicks.seconds["web: the post"].append(posted)
                clicks.seconds["web: the page"].append(took - posted)
            async with within(f"API click {n}"):
                clicks.seconds["api"].append(await api_click(http, token, cid[1], summary))
            for path, case in (("web", cid[0]), ("api", cid[1])):
                if case != cases[-1]:  # the warm-up's case has more than one update
                    clicks.cases[path].append(case)
            if n % max(1, args.clicks // max(1, args.cli_clicks)) == 0:
                for path, env, case in zip(("cli", "cli-api"), cli_envs, cid[2:], strict=True):
                    async with within(f"{path} click {n}"):
                        clicks.seconds[path].append(await cli_click(env, case, summary))
            print(f"\r  click {n + 1}/{args.clicks}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        wall = time.perf_counter() - began
        done = completed[0] - before
        clicks.running.append(await running_workflows(system))
    return clicks, done, wall


async def running_workflows(system: System) -> int | None:
    """Workflows running now (the open cases, the load's, the sweeps): beyond the worker's
    cache, the least recently used are evicted and replayed at their next task."""
    try:
        return (await system.client.count_workflows("ExecutionStatus = 'Running'")).count
    except RPCError:
        return None


@dataclass(frozen=True)
class UpdateTask:
    """A click's update as the case's history has it: its workflow task waiting for the worker
    (scheduled → started), the worker's time on it (started → completed: a case the worker no
    longer held is replayed from its history there), and whether the server sent it to the
    worker's sticky queue (the worker held the case, as far as the server knew)."""

    waited: float
    worked: float
    sticky: bool


async def update_tasks(desk: ComplaintDesk, cases: Sequence[str]) -> list[UpdateTask]:
    """The workflow task of each case's accepted update (one click a case)."""
    found: list[UpdateTask] = []
    for cid in cases:
        handle = desk.client.get_workflow_handle(workflow_id_for(cid))
        events = (await handle.fetch_history()).events
        for n, event in enumerate(events):
            if not event.HasField("workflow_execution_update_accepted_event_attributes"):
                continue
            task = events[:n]
            scheduled = next(
                e for e in reversed(task) if e.HasField("workflow_task_scheduled_event_attributes")
            )
            started = next(
                e for e in reversed(task) if e.HasField("workflow_task_started_event_attributes")
            )
            completed = next(
                e for e in reversed(task) if e.HasField("workflow_task_completed_event_attributes")
            )
            queue = scheduled.workflow_task_scheduled_event_attributes.task_queue
            found.append(
                UpdateTask(
                    waited=_seconds(started) - _seconds(scheduled),
                    worked=_seconds(completed) - _seconds(started),
                    sticky=queue.kind == TaskQueueKind.TASK_QUEUE_KIND_STICKY,
                )
            )
    return found


def _seconds(event: HistoryEvent) -> float:
    return event.event_time.ToNanoseconds() / 1e9


@contextlib.asynccontextmanager
async def within(what: str, seconds: float = 120) -> AsyncIterator[None]:
    """A click that never comes back fails the run, saying which, instead of hanging it."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError:
        raise SystemExit(f"{what}: no answer in {seconds:.0f} s (is the worker stuck?)") from None


def report(args: argparse.Namespace, clicks: Clicks, opened: float, load: int, wall: float) -> None:
    load_average = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\n{args.cases} open cases (opened in {opened:.0f} s); load beside: {args.load} full "
        f"lifecycles in flight, {load} completed during the {wall:.0f} s of clicks "
        f"({load / wall if wall else 0:.2f}/s); {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the end {load_average}\n"
    )
    print("| the agent's click | what is timed | n | p50 | p99 | max |")
    print("|---|---|---|---|---|---|")
    timed = {
        "web": "form post → 303 → the case page, read in full",
        "api": "POST /v1/complaints/{id}/finding → its answer",
        "cli": "`complaint-desk finding …`, the whole process, Temporal's client",
        "cli-api": "`complaint-desk finding …`, the whole process, through the API",
    }
    timed.update(
        {
            "web: the post": "the web click's form post, to its 303 read in full",
            "web: the page": "the web click's case page after the 303, read in full",
        }
    )
    for path in PATHS + PARTS:
        samples = clicks.seconds[path]
        if not samples:
            continue
        print(
            f"| {path} | {timed[path]} | {len(samples)} | {percentile(samples, 50) * 1000:,.0f} ms "
            f"| {percentile(samples, 99) * 1000:,.0f} ms | {max(samples) * 1000:,.0f} ms |"
        )


def report_tasks(
    args: argparse.Namespace, clicks: Clicks, tasks: dict[str, list[UpdateTask]]
) -> None:
    counted = " and ".join("unknown" if n is None else f"{n:,}" for n in clicks.running)
    print(
        f"\nworkflows running at the first click and the last: {counted}; the bench worker's "
        f"settings: {args.worker}\n"
    )
    print("| the click's update, in its case's history | n | p50 | p99 | max | sticky queue |")
    print("|---|---|---|---|---|---|")
    for path, found in tasks.items():
        if not found:
            continue
        sticky = sum(t.sticky for t in found) / len(found)
        for what, samples in (
            ("its workflow task waiting for the worker", [t.waited for t in found]),
            ("the worker's time on it", [t.worked for t in found]),
        ):
            print(
                f"| {path}: {what} | {len(samples)} | {percentile(samples, 50) * 1000:,.0f} ms "
                f"| {percentile(samples, 99) * 1000:,.0f} ms | {max(samples) * 1000:,.0f} ms "
                f"| {sticky:.0%} |"
            )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--cases", type=int, default=1000, help="open cases (default 1000)")
    p.add_argument("--clicks", type=int, default=200, help="web and API clicks (default 200)")
    p.add_argument("--cli-clicks", type=int, default=40, help="CLI clicks, each way (default 40)")
    p.add_argument(
        "--load", type=int, default=20, help="full lifecycles in flight beside (default 20)"
    )
    p.add_argument(
        "--settle", type=float, default=10.0, help="seconds the load runs before clicking"
    )
    p.add_argument(
        "--worker",
        default="{}",
        help="the bench worker's settings, JSON (BENCH_WORKER: SDK Worker settings)",
    )
    p.add_argument("--drive-load", type=int, help=argparse.SUPPRESS)
    return p.parse_args(argv)


if __name__ == "__main__":
    parsed = parse()
    if parsed.drive_load is not None:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(drive_load(parsed.drive_load))
    else:
        asyncio.run(main(parsed))
