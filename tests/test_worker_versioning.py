"""Worker Versioning on the real dev server (docs/versioning.md): cases started on build A stay
on A when build B becomes current, and finish there; new cases run on B.

The builds differ as a real deployment's do, in what they ship: B's SLA policy gives a shorter
respond deadline under another version. A case shows which build's policy it adopted (that
activity runs on its own build), and every workflow task in its history names the build that
completed it. B is made current with the plain `temporal` CLI, as an operator would."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from temporalio.common import WorkerDeploymentVersion
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool
from desk.service import ComplaintDesk
from schemas import Outcome, SlaPolicy, Stage
from tests.support.desk import ROUND_THE_CLOCK, Desk, eventually, responding_within
from tests.support.temporal_cli import run
from worker import build_worker
from workflows.complaint import workflow_id_for

pytestmark = pytest.mark.devserver

POLICY_A = responding_within(ROUND_THE_CLOCK, timedelta(hours=4), version="build-a")
POLICY_B = responding_within(ROUND_THE_CLOCK, timedelta(hours=2), version="build-b")


@pytest.fixture
def env(dev_env: WorkflowEnvironment) -> WorkflowEnvironment:
    return dev_env


@asynccontextmanager
async def build(
    desk: Desk, version: WorkerDeploymentVersion, policy: SlaPolicy
) -> AsyncIterator[None]:
    async with build_worker(
        desk.env.client, desk.pool, policy=policy, task_queue=desk.api.task_queue, version=version
    ):
        yield


async def set_current(desk: Desk, version: WorkerDeploymentVersion) -> None:
    """`temporal worker deployment set-current-version`, once the server has seen the
    version's workers poll (until then it does not know the version)."""
    cli = [
        *("worker", "deployment", "set-current-version", "--yes"),
        *("--deployment-name", version.deployment_name, "--build-id", version.build_id),
    ]

    async def probe() -> bool | None:
        code, _, _ = await run(desk.env, *cli)
        return True if code == 0 else None

    await eventually(probe, seconds=60)


async def builds_of(desk: Desk, complaint_id: str) -> set[str]:
    """The build id of every completed workflow task of the case."""
    handle = desk.env.client.get_workflow_handle(workflow_id_for(complaint_id))
    return {
        e.workflow_task_completed_event_attributes.deployment_version.build_id
        async for e in handle.fetch_history_events()
        if e.HasField("workflow_task_completed_event_attributes")
    }


async def test_cases_finish_on_the_build_they_started_on_and_new_ones_run_the_current(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    name = f"desk-{uuid.uuid4().hex[:8]}"
    a, b = WorkerDeploymentVersion(name, "a"), WorkerDeploymentVersion(name, "b")
    desk = Desk(api=ComplaintDesk(env.client, task_queue=f"versioned-{name}"), env=env, pool=pool)
    async with build(desk, a, POLICY_A):
        await set_current(desk, a)
        on_a = await desk.open()
        async with build(desk, b, POLICY_B):
            await set_current(desk, b)
            on_b = await desk.open()
            # A's case goes on after B became current: merged into B's, it ends, on A.
            await desk.api.merge(on_a, {"by": "sup-li", "into": on_b, "reason": "同一台洗衣机"})
            ended = await desk.api.outcome(on_a)
            assert ended.stage is Stage.DONE and ended.outcome is Outcome.MERGED
            assert ended.policy_version == "build-a" and await builds_of(desk, on_a) == {"a"}
            on_b_case = await desk.api.snapshot(on_b)
            assert on_b_case.policy_version == "build-b" and await builds_of(desk, on_b) == {"b"}
