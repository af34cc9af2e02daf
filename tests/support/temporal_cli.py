"""The plain `temporal` CLI as an integrator runs it against a test's server: no codec unless one
is given, run without blocking (the test's worker shares the event loop)."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Mapping

from temporalio.testing import WorkflowEnvironment

from starter.local import installed_binary
from workflows.complaint import workflow_id_for


async def run(
    env: WorkflowEnvironment, *args: str, codec: str | None = None
) -> tuple[int, str, str]:
    """Its exit code, what it printed on stdout, and on stderr."""
    process = await asyncio.create_subprocess_exec(
        installed_binary("temporal"),
        *args,
        "--address",
        env.client.service_client.config.target_host,
        *(["--codec-endpoint", codec] if codec else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode or 0, out.decode(), err.decode()


async def succeeded(env: WorkflowEnvironment, *args: str, codec: str | None = None) -> str:
    """What it printed, once it has exited 0."""
    code, out, err = await run(env, *args, codec=codec)
    assert code == 0, err
    return out


def _input(payload: Mapping[str, object]) -> list[str]:
    return ["--input", json.dumps(payload, ensure_ascii=False)]


def start(task_queue: str, complaint_id: str, payload: Mapping[str, object]) -> list[str]:
    return [
        *("workflow", "start", "--type", "Complaint", "--task-queue", task_queue),
        *("--workflow-id", workflow_id_for(complaint_id), *_input(payload)),
    ]


def signal(complaint_id: str, name: str) -> list[str]:
    """Without its input: add `--input …` (or a raw payload's flags)."""
    return ["workflow", "signal", "--workflow-id", workflow_id_for(complaint_id), "--name", name]


def update(complaint_id: str, name: str, payload: Mapping[str, object]) -> list[str]:
    return [
        *("workflow", "update", "execute", "--workflow-id", workflow_id_for(complaint_id)),
        *("--name", name, *_input(payload)),
    ]
