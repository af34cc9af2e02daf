"""Log lines written inside the workflow sandbox (telemetry/logs.py): the SDK's warning for a
failed workflow task, with its traceback, and `workflow.logger` lines come out as JSON lines,
never as `--- Logging error ---` (the renderer once imported a module at formatting time, which
the sandbox re-imported and refused the environment)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from starter.local import installed_binary
from tests.support.desk import ROOT

pytestmark = pytest.mark.system  # a process of its own

WORKER = """
import asyncio, sys
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker
from telemetry import logs
from tests.support.logging_probe import LoggingProbe

async def main() -> None:
    logs.configure(level="INFO", json=True)
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=sys.argv[1])
    async with env, Worker(env.client, task_queue="probe", workflows=[LoggingProbe]):
        handle = await env.client.start_workflow(LoggingProbe.run, id="probe", task_queue="probe")
        failed = EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
        while failed not in [e.event_type async for e in handle.fetch_history_events()]:
            await asyncio.sleep(0.05)
        await handle.terminate()
    print("task failed")

asyncio.run(main())
"""


def test_a_failed_task_and_a_workflow_log_line_are_json_lines() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WORKER, installed_binary("temporal-test-server")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # (not its exit code: the process may abort as it exits, in the SDK core, after the test)
    assert "task failed" in done.stdout.splitlines(), done.stderr[-2000:]
    assert "Logging error" not in done.stderr
    lines = [json.loads(x) for x in done.stderr.splitlines() if x.startswith("{")]
    failed = [x for x in lines if x["event"].startswith("Failed activation")]
    assert failed and "the task fails" in failed[0]["exception"]
    logged = [x for x in lines if x["event"] == "stage changed"]
    assert logged and logged[0]["stage"] == "investigate" and logged[0]["workflow_id"] == "probe"
