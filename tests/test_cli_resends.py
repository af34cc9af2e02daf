"""The `temporal` CLI through the codec server when the server does not take its request at
once. The CLI encodes a request in place, through the codec server, and sends the very same
request again after a retryable refusal or an answer short of the stage it waits for; so each
later send asks the codec to encode ciphertext. Once, under the full suite, an update sent so was
refused as "plan: not a readable payload (KeyError)": the case had read a payload sealed twice.
Here the server turns the first send away every time: one Update in flight per case, and one is
already waiting for a worker."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import structlog
from temporalio.api.common.v1 import Payloads, WorkflowExecution
from temporalio.api.enums.v1 import UpdateWorkflowExecutionLifecycleStage
from temporalio.api.update.v1 import Input, Meta, Request, WaitPolicy
from temporalio.api.workflowservice.v1 import UpdateWorkflowExecutionRequest
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool
from desk.service import ComplaintDesk
from encryption.codec_server import CodecConfig, serving
from schemas import CaseSnapshot, Stage
from tests.support.desk import CONVERTER, ROUND_THE_CLOCK, TEST_KEYS, eventually, intake
from tests.support.temporal_cli import run, update
from worker import build_worker
from workflows.complaint import workflow_id_for

pytestmark = [
    pytest.mark.devserver,
    pytest.mark.dev_server_config(
        {
            "history.maxInFlightUpdates": 1,
            # How long the server holds an update request before answering with the stage it
            # reached: short, so that the one holding the slot is answered once it is admitted.
            "history.longPollExpirationInterval": '"2s"',
        }
    ),
]
ADMITTED = UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED


async def hold_the_update_slot(env: WorkflowEnvironment, complaint_id: str) -> None:
    """An update the case has no action for, admitted while no worker runs: it takes the one
    slot until a worker's validator refuses it, leaving nothing on the case."""
    request = UpdateWorkflowExecutionRequest(
        namespace=env.client.namespace,
        workflow_execution=WorkflowExecution(workflow_id=workflow_id_for(complaint_id)),
        wait_policy=WaitPolicy(
            lifecycle_stage=UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED
        ),
        request=Request(
            meta=Meta(update_id=f"hold-{uuid.uuid4().hex[:8]}", identity="test"),
            input=Input(
                name="no_such_action", args=Payloads(payloads=await CONVERTER.encode(["-"]))
            ),
        ),
    )
    answer = await env.client.workflow_service.update_workflow_execution(
        request, timeout=timedelta(seconds=30)
    )
    assert answer.stage == ADMITTED


async def test_an_update_the_cli_sends_again_through_the_codec_is_applied(
    dev_env: WorkflowEnvironment, pool: Pool
) -> None:
    desk = ComplaintDesk(dev_env.client, task_queue=f"complaints-{uuid.uuid4().hex[:8]}")
    cid = f"C-resent-{uuid.uuid4().hex[:8]}"

    async def at(wanted: Stage) -> CaseSnapshot | None:
        case = await desk.snapshot(cid)
        return case if case.stage is wanted else None

    worker = build_worker(dev_env.client, pool, policy=ROUND_THE_CLOCK, task_queue=desk.task_queue)
    async with worker:
        await desk.start(intake(cid, datetime.now(UTC)))
        await eventually(lambda: at(Stage.INVESTIGATE))
    await hold_the_update_slot(dev_env, cid)

    plan = {"agent": "agent-zhang", "summary": "上门维修"}
    with structlog.testing.capture_logs() as logged, serving(CodecConfig(TEST_KEYS)) as codec:
        cli = asyncio.create_task(run(dev_env, *update(cid, "propose_plan", plan), codec=codec))

        async def sent_again() -> bool | None:
            encoded = [e for e in logged if e["event"] == "payloads encoded"]
            return True if len(encoded) >= 2 else None

        await eventually(sent_again, seconds=30)  # the server turned the first send away
        worker = build_worker(
            dev_env.client, pool, policy=ROUND_THE_CLOCK, task_queue=desk.task_queue
        )
        async with worker:
            code, _, err = await cli
            assert code == 0, err  # before: "plan: not a readable payload (KeyError)"
            case = await eventually(lambda: at(Stage.RESOLVE))
    assert case.plan is not None and case.plan.summary == "上门维修"
