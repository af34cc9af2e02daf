"""The review after a major event (R-CO-3): a high-risk case that closes opens a review due in 7
days, which outlives the case, tells the quality supervisor once when late, and is kept in the
case store with its findings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError

from desk.errors import Refused
from schemas import (
    AgentMessage,
    CustomerReply,
    EntryKind,
    ProgressNote,
    ReplyIntent,
    ResolutionPlan,
)
from schemas.notification import Audience
from schemas.review import ReviewRecord
from tests.support.cases import T0, classified
from tests.support.desk import Desk, eventually
from workflows import closing, investigation
from workflows.case_file import CaseFile
from workflows.review import review_id

POISONED = "孩子吃了你们的饼干后食物中毒，已经去医院了。"  # L1, high risk


def closed(case: CaseFile) -> CaseFile:
    later = T0 + timedelta(hours=1)
    investigation.respond(case, AgentMessage(agent="agent-a", text="非常抱歉"), later)
    investigation.propose_plan(case, ResolutionPlan(agent="agent-a", summary="全额退款"), later)
    closing.customer_reply(case, CustomerReply(text="好", intent=ReplyIntent.ACCEPT_PLAN), later)
    investigation.record_progress(
        case, ProgressNote(agent="agent-a", note="已退款", completed=True), later
    )
    closing.customer_reply(
        case, CustomerReply(text="解决了", intent=ReplyIntent.CONFIRM_RESOLVED), later
    )
    return case


def test_only_a_high_risk_case_asks_for_a_review_when_it_closes() -> None:
    assert closed(classified(POISONED)).state.reviews_requested == [0]
    assert closed(classified("洗衣机漏水")).state.reviews_requested == []
    entry = next(
        e
        for e in closed(classified(POISONED)).state.timeline
        if e.kind is EntryKind.REVIEW_REQUESTED
    )
    assert "major-event review by quality due" in entry.summary


async def test_the_review_outlives_the_case_and_escalates_once_when_late(desk: Desk) -> None:
    cid = await desk.open(description=POISONED)
    agent = {"agent": "agent-zhang"}
    await desk.api.respond(cid, {**agent, "text": "非常抱歉，我们马上处理。"})
    await desk.api.propose_plan(cid, {**agent, "summary": "全额退款并承担医药费"})
    await desk.api.reply(cid, {"text": "好", "intent": "accept_plan"})
    await desk.api.record_progress(cid, {**agent, "note": "已退款", "completed": True})
    await desk.api.reply(cid, {"text": "解决了", "intent": "confirm_resolved"})
    review = desk.env.client.get_workflow_handle(review_id(cid, 0), result_type=ReviewRecord)

    async def running() -> bool | None:
        try:
            return (await review.describe()).status is WorkflowExecutionStatus.RUNNING or None
        except RPCError:  # not started yet
            return None

    await eventually(running)
    await desk.skip(timedelta(days=7, minutes=1))  # the case ended (no survey answer); review late
    assert (await desk.api.outcome(cid)).outcome is not None
    await desk.until_notified(cid, Audience.DEPARTMENT_SUPERVISOR, "review_overdue")

    await desk.api.complete_review(
        cid, {"by": "qa-li", "findings": "批次7密封不良", "measures": "召回批次7"}
    )
    with pytest.raises(Refused) as refused:
        await desk.api.complete_review(cid, {"by": "qa-wang", "findings": "x"})
    assert "already recorded by qa-li" in str(refused.value)
    record = await review.result()
    assert record.done is not None and record.escalated_at is not None
    row = await desk.pool.fetchrow("SELECT * FROM reviews WHERE complaint_id = $1", cid)
    assert (row["done_by"], row["measures"], row["escalated_at"] is not None) == (
        "qa-li",
        "召回批次7",
        True,
    )
    told = await desk.notified(cid, Audience.DEPARTMENT_SUPERVISOR)
    assert told.count("review_overdue") == 1
