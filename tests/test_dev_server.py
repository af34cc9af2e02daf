"""Against the real Temporal dev server (the one `complaint-desk up` runs): plain-JSON starts from
the `temporal` CLI, operators' list filters, continue-as-new on a long conversation."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio.client import ScheduleActionStartWorkflow, WorkflowFailureError
from temporalio.testing import WorkflowEnvironment

from encryption.codec_server import CodecConfig, serving
from schemas import EntryKind, Stage
from starter import list_cases
from starter.cli import _parser
from starter.schedules import (
    ALERT_SWEEP,
    ALERT_SWEEP_EVERY,
    GRADING_CANDIDATE,
    STUCK_CASES,
    ensure_schedules,
)
from tests.support.desk import ROOT, TEST_KEYS, Desk, eventually, intake
from tests.support.temporal_cli import signal, start, succeeded, update
from workflows.complaint import workflow_id_for

HISTORY_SUGGESTS_CONTINUE_AS_NEW_AT = 60

pytestmark = [
    pytest.mark.devserver,
    pytest.mark.dev_server_config(
        {"limit.historyCount.suggestContinueAsNew": HISTORY_SUGGESTS_CONTINUE_AS_NEW_AT}
    ),
]


@pytest.fixture
def env(dev_env: WorkflowEnvironment) -> WorkflowEnvironment:
    """The shared `desk` fixture, on the dev server instead of the time-skipping one."""
    return dev_env


@pytest.fixture(scope="module")
def codec_url() -> Iterator[str]:
    """The codec server operators point the UI and CLI at; without it they see ciphertext."""
    with serving(CodecConfig(TEST_KEYS)) as url:
        yield url


async def cli_start(desk: Desk, complaint_id: str, payload: dict[str, Any], codec: str) -> None:
    await succeeded(desk.env, *start(desk.api.task_queue, complaint_id, payload), codec=codec)


async def test_a_complaint_started_by_the_temporal_cli_with_plain_json_works(
    desk: Desk, codec_url: str
) -> None:
    cid = f"C-cli-{uuid.uuid4().hex[:8]}"
    data = intake(cid, datetime.now(UTC))
    del data["received_at"]  # optional: defaults to the moment the case starts
    await cli_start(desk, cid, data, codec_url)
    await desk.until(cid, lambda s: s.stage is Stage.INVESTIGATE)

    await succeeded(
        desk.env,
        *signal(cid, "customer_reply"),
        "--input",
        json.dumps({"text": "请尽快处理"}),
        codec=codec_url,
    )
    plan = {"agent": "agent-zhang", "summary": "上门维修"}
    await succeeded(desk.env, *update(cid, "propose_plan", plan), codec=codec_url)
    case = await desk.until(cid, lambda s: s.stage is Stage.RESOLVE)
    assert case.subject == "洗衣机问题" and case.plan is not None

    shown = json.loads(
        await succeeded(
            desk.env,
            "workflow",
            "query",
            "--workflow-id",
            workflow_id_for(cid),
            "--name",
            "snapshot",
            "-o",
            "json",
            codec=codec_url,
        )
    )
    assert shown["queryResult"][0]["stage"] == "resolve"
    timeline = await desk.api.timeline(cid)
    assert [e.summary for e in timeline if e.kind is EntryKind.CUSTOMER_MESSAGE] == ["请尽快处理"]


async def test_invalid_json_from_the_cli_fails_the_case_with_the_reason(
    desk: Desk, codec_url: str
) -> None:
    cid = f"C-bad-{uuid.uuid4().hex[:8]}"
    await cli_start(desk, cid, {"complaint_id": cid, "channel": "fax"}, codec_url)
    handle = desk.env.client.get_workflow_handle(workflow_id_for(cid))
    with pytest.raises(WorkflowFailureError) as failed:
        await asyncio.wait_for(handle.result(), 20)
    assert "channel" in str(failed.value.cause)
    # A corrected intake may then start the case under the same id.
    started = await desk.api.start(intake(cid, datetime.now(UTC)))
    assert started.created


async def test_operators_find_cases_by_search_attributes(desk: Desk) -> None:
    urgent = await desk.open(description="我的账户被盗刷了")
    calm = await desk.open(description="建议增加夜间模式")

    async def listed(query: str, *wanted: str) -> set[str]:
        """Cases the query lists, once one of `wanted` (default: both first cases) shows."""
        expected = {workflow_id_for(c) for c in (wanted or (urgent, calm))}
        found: set[str] = set()
        for _ in range(100):  # visibility is eventually consistent; wait for it, bounded
            found = {w.id async for w in desk.env.client.list_workflows(query)}
            if expected & found:
                return found
            await asyncio.sleep(0.1)
        return found

    ids = await listed(f'ComplaintSeverity = "L1" AND TaskQueue = "{desk.api.task_queue}"')
    assert workflow_id_for(urgent) in ids and workflow_id_for(calm) not in ids
    ids = await listed(
        f'ComplaintStage = "investigate" AND ComplaintBreached = false '
        f'AND TaskQueue = "{desk.api.task_queue}"'
    )
    assert {workflow_id_for(urgent), workflow_id_for(calm)} <= ids

    # Added by the `more-search-attributes` patch: risk, category, product, customer, escalation.
    other = await desk.open(
        description="电视屏幕有坏点",
        product="TV-9",
        customer={"name": "李四", "contact": {"phone": "+86 139 0000 0000"}, "account_id": "U-7"},
    )
    case = await desk.api.snapshot(urgent)
    assert case.risk is not None and case.category is not None
    queue = f'TaskQueue = "{desk.api.task_queue}"'
    ids = await listed(
        f'ComplaintRisk = "{case.risk.value}" AND '
        f'ComplaintCategory = "{case.category.value}" AND {queue}'
    )
    assert workflow_id_for(urgent) in ids
    only_other = {workflow_id_for(other)}
    assert await listed(f'ComplaintProduct = "TV-9" AND {queue}', other) == only_other
    assert await listed(f'ComplaintCustomer = "U-7" AND {queue}', other) == only_other
    ids = await listed(f'ComplaintEscalation = "owner" AND {queue}', other)
    assert {workflow_id_for(c) for c in (urgent, calm, other)} <= ids

    # The same filters from the command line, as a table for people and JSON for scripts.
    args = _parser().parse_args(["list", "--customer", "U-7", "--query", queue])
    rows = await list_cases.found(desk.env.client, list_cases.case_query(args), 10)
    assert [(r["case"], r["stage"], r["owner"]) for r in rows] == [
        (other, "investigate", "agent-zhang")
    ]
    table = list_cases.render(rows).splitlines()
    assert table[0].split() == [
        "case",
        "stage",
        "severity",
        "risk",
        "owner",
        "escalation",
        "breached",
        "nextdeadline",
    ]
    assert [line.split()[0] for line in table[1:]] == [other]
    assert json.loads(list_cases.render(rows, as_json=True)) == rows


async def test_a_long_conversation_continues_as_new_and_keeps_its_timeline(desk: Desk) -> None:
    cid = await desk.open()
    replies = 80
    for i in range(replies):
        await desk.api.reply(cid, {"text": f"第{i}条消息"})
    case = await desk.until(cid, lambda s: s.timeline_length >= replies and s.runs > 1, seconds=60)
    timeline = await desk.api.timeline(cid)
    messages = [e.summary for e in timeline if e.kind is EntryKind.CUSTOMER_MESSAGE]
    assert messages == [f"第{i}条消息" for i in range(replies)]
    assert case.stage is Stage.INVESTIGATE and case.runs > 1

    # A run may overshoot while a burst is still arriving (it drains before continuing as new);
    # once the burst is handled, the live run is back near the bound.
    async def bounded() -> int | None:
        handle = desk.env.client.get_workflow_handle(workflow_id_for(cid))
        description: Any = await handle.describe()
        length: int = description.history_length
        return length if length < 2 * HISTORY_SUGGESTS_CONTINUE_AS_NEW_AT else None

    await eventually(bounded, seconds=30)

    # Every message also reached the case store, which is what lets long cases carry only the
    # recent part of their timeline across runs.
    async def all_stored() -> bool | None:
        stored = await desk.pool.fetchval(
            "SELECT count(*) FROM complaint_events WHERE complaint_id = $1 AND kind = $2",
            cid,
            EntryKind.CUSTOMER_MESSAGE.value,
        )
        return True if stored == replies else None

    await eventually(all_stored)


async def test_a_history_read_with_the_plain_cli_shows_no_name_or_phone(
    desk: Desk, codec_url: str
) -> None:
    cid = await desk.open(customer={"name": "王小明", "contact": {"phone": "+86 138 0000 0000"}})
    await desk.api.reply(cid, {"text": "我的电话是 +86 138 0000 0000"})
    await desk.until(cid, lambda s: s.timeline_length >= 4)
    show = ("workflow", "show", "--workflow-id", workflow_id_for(cid), "-o", "json")

    # `-o json` prints payloads base64-encoded: decode every one before looking.
    plain = payload_texts(await succeeded(desk.env, *show))
    assert "王小明" not in plain and "138 0000" not in plain
    assert "binary/encrypted" in plain  # each payload's encoding, in its metadata

    # An operator given the codec server reads the case in full.
    decoded = payload_texts(await succeeded(desk.env, *show, codec=codec_url))
    assert "王小明" in decoded and "138 0000" in decoded


def payload_texts(history_json: str) -> str:
    """Every base64 value in a history printed by the CLI (payload data, metadata), as text."""
    found = re.findall(r'"(?:data|encoding)":\s*"([A-Za-z0-9+/=]+)"', history_json)
    return "\n".join(base64.b64decode(v).decode(errors="replace") for v in found)


async def test_every_filter_the_docs_document_runs(desk: Desk) -> None:
    """The operators' table of list filters (docs/operating.md) is what they copy into the UI:
    each must be a query the server accepts, listing only cases it describes."""
    page = (ROOT / "docs" / "operating.md").read_text(encoding="utf-8")
    table = page.split("| what | query |", 1)[1].split("\n\n", 1)[0]
    queries = re.findall(r"^\| [^|]+ \| `(.+)` \|$", table, flags=re.MULTILINE)
    assert len(queries) >= 10
    cid = await desk.open(description="孩子吃了饼干食物中毒，我要曝光你们")  # L1, high risk
    await desk.api.reassign(cid, {"by": "sup-li", "to": "agent-zhang2", "reason": "r"})
    queue = f'TaskQueue = "{desk.api.task_queue}"'
    for query in queries:
        listed = {w.id async for w in desk.env.client.list_workflows(f"({query}) AND {queue}")}
        assert listed <= {workflow_id_for(cid)}, query  # accepted by the server
    assert await eventually(
        lambda: _listed(
            desk, f'ComplaintSeverity = "L1" AND ExecutionStatus = "Running" AND {queue}'
        )
    ) == [workflow_id_for(cid)]


async def _listed(desk: Desk, query: str) -> list[str] | None:
    found = [w.id async for w in desk.env.client.list_workflows(query)]
    return found or None


async def test_setup_creates_the_schedules_once(dev_env: WorkflowEnvironment) -> None:
    queue = f"schedules-{uuid.uuid4().hex[:6]}"
    created = await ensure_schedules(dev_env.client, task_queue=queue)
    assert created == [
        ALERT_SWEEP,
        "complaint-report-daily",
        "complaint-report-weekly",
        "complaint-report-monthly",
        STUCK_CASES,
        GRADING_CANDIDATE,
    ]
    assert await ensure_schedules(dev_env.client, task_queue=queue) == []  # a second setup
    described = await dev_env.client.get_schedule_handle(ALERT_SWEEP).describe()
    assert described.schedule.spec.intervals[0].every == ALERT_SWEEP_EVERY
    monthly = await dev_env.client.get_schedule_handle("complaint-report-monthly").describe()
    assert monthly.schedule.spec.time_zone_name == "Asia/Shanghai"
    nightly = (await dev_env.client.get_schedule_handle(GRADING_CANDIDATE).describe()).schedule
    assert nightly.spec.time_zone_name == "Asia/Shanghai"
    assert isinstance(nightly.action, ScheduleActionStartWorkflow)
    assert nightly.action.workflow == "ProposeGradingCandidate" and list(nightly.action.args) == []
    for schedule_id in created:
        await dev_env.client.get_schedule_handle(schedule_id).delete()
