"""Bad input, table-driven, over the intake and every signal and update (issue: reliability).

Each bad payload is refused with a message that names the problem. Through the API it is
refused before anything is sent. Sent past the API (a raw client, another language, the
`temporal` CLI): a bad intake fails the run with the reason and nothing is stored; a bad update
is rejected before it reaches the history; a bad signal is recorded on the case's timeline as a
message that could not be read, with the reason and without its content. In
no case does a worker or a workflow crash, and the case carries on. Odd but legitimate text
(SQL-looking, emoji, mixed scripts) is stored verbatim.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.common import RawValue

from schemas import ComplaintIntake, EntryKind, Stage, TimelineEntry
from schemas.actions import (
    AgentMessage,
    ClassificationConfirmation,
    ClassificationOverride,
    CustomerReply,
    Escalation,
    Finding,
    ProgressNote,
    ReopenRequest,
    ResolutionPlan,
    SurveyAnswer,
)
from schemas.text import TEXT_MAX
from tests.support.desk import Desk, eventually, intake
from workflows.complaint import workflow_id_for

SIGNALS: dict[str, type[BaseModel]] = {
    "customer_reply": CustomerReply,
    "reopen_request": ReopenRequest,
    "survey_answer": SurveyAnswer,
    "escalate": Escalation,
}
UPDATES: dict[str, type[BaseModel]] = {
    "respond": AgentMessage,
    "add_finding": Finding,
    "propose_plan": ResolutionPlan,
    "record_progress": ProgressNote,
    "confirm_classification": ClassificationConfirmation,
    "override_classification": ClassificationOverride,
}
TOO_LONG = "长" * (TEXT_MAX + 1)
SCORES = {"result": 5, "attitude": 5, "timeliness": 5}
EVIDENCE = [{"ref": f"https://files.example/{i}.jpg"} for i in range(21)]

# (signal or update, payload, what the refusal says)
BAD: list[tuple[str, Any, str]] = [
    ("customer_reply", "just a string", "valid dictionary"),
    ("customer_reply", {}, "Field required"),
    ("customer_reply", {"text": 123}, "valid string"),
    ("customer_reply", {"text": "   "}, "at least 1 character"),
    ("customer_reply", {"text": TOO_LONG}, f"at most {TEXT_MAX} characters"),
    ("customer_reply", {"text": "a\x00b"}, "control characters"),
    ("customer_reply", {"text": "\x1b[2J cleared"}, "control characters"),
    ("customer_reply", {"text": "ok", "intent": "maybe"}, "Input should be 'message'"),
    ("customer_reply", {"text": "ok", "mood": "angry"}, "Extra inputs are not permitted"),
    ("reopen_request", {"reason": None}, "valid string"),
    ("reopen_request", {"reason": TOO_LONG}, f"at most {TEXT_MAX} characters"),
    ("survey_answer", {**SCORES, "result": 6}, "less than or equal to 5"),
    ("survey_answer", {**SCORES, "result": 0}, "greater than or equal to 1"),
    ("survey_answer", {**SCORES, "result": "five"}, "valid integer"),
    ("survey_answer", {"result": 5, "attitude": 5}, "Field required"),
    ("escalate", {"by": "sup-li", "reason": "media", "severity": "L0"}, "Input should be 'L1'"),
    ("escalate", {"by": "sup li'; DROP TABLE complaints", "reason": "x"}, "match pattern"),
    ("escalate", {"by": "sup-li"}, "Field required"),
    ("respond", {"agent": "agent-zhang", "text": TOO_LONG}, f"at most {TEXT_MAX} characters"),
    ("respond", {"agent": "", "text": "hello"}, "match pattern"),
    ("add_finding", {"agent": "a", "summary": "s", "evidence": EVIDENCE}, "at most 20 items"),
    ("add_finding", {"agent": "a", "summary": "s", "evidence": [{"ref": "a\nb"}]}, "single line"),
    (
        "propose_plan",
        {"agent": "a", "summary": "s", "compensation_yuan": -1},
        "greater than or equal to 0",
    ),
    ("propose_plan", {"agent": "a", "summary": "s", "compensation_yuan": "lots"}, "decimal"),
    (
        "propose_plan",
        {"agent": "a", "summary": "s", "next_update_by": "2026-11-24T10:00:00"},
        "timezone info",
    ),
    ("record_progress", {"agent": "a", "note": "n", "completed": "sometimes"}, "valid boolean"),
    ("confirm_classification", {"by": 5}, "valid string"),
    ("override_classification", {"by": "s", "reason": "r", "category": "weather"}, "Input should"),
]

# (intake fields changed, what the refusal says)
BAD_INTAKE: list[tuple[dict[str, Any], str]] = [
    ({"channel": "fax"}, "Input should be 'hotline'"),
    ({"customer": {"name": "王小明"}}, "needs a name and a contact"),
    ({"customer": {"name": "王", "contact": {"phone": "call me"}}}, "match pattern"),
    ({"description": TOO_LONG}, f"at most {TEXT_MAX} characters"),
    ({"description": "坏了\x07"}, "control characters"),
    ({"subject": "two\nlines"}, "single line"),
    ({"evidence": EVIDENCE}, "at most 20 items"),
    ({"complaint_id": "C 1; DROP"}, "match pattern"),
    ({"received_at": "2026-11-23T10:00:00"}, "timezone info"),
    ({"occurred_at": "2030-01-01T00:00:00Z"}, "occurred_at is after received_at"),
    ({"priority": "urgent"}, "Extra inputs are not permitted"),
]

# Legitimate text that looks odd: kept exactly as written, never interpreted.
ODD_BUT_FINE = [
    "'); DROP TABLE complaint_events; --",
    "<script>alert('x')</script>",
    "洗衣机坏了😡👎🏻 家里👨‍👩‍👧都没法洗衣服",
    "Моя стиральная машина 漏水 قليلاً la machine fuit",
    "第一行\n第二行\t缩进",
    "%s %d {0} ${HOME} \\x00",
]

MALFORMED_JSON = RawValue(Payload(metadata={"encoding": b"json/plain"}, data=b'{"text": "cut'))


def _model(target: str) -> type[BaseModel]:
    return SIGNALS.get(target) or UPDATES[target]


@pytest.mark.parametrize(("target", "payload", "message"), BAD, ids=lambda v: str(v)[:30])
def test_each_bad_payload_is_refused_with_a_message_naming_the_problem(
    target: str, payload: Any, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _model(target).model_validate(payload)
    assert message in str(refused.value)


@pytest.mark.parametrize(("fields", "message"), BAD_INTAKE, ids=lambda v: str(v)[:30])
def test_each_bad_intake_is_refused_with_a_message_naming_the_problem(
    fields: dict[str, Any], message: str
) -> None:
    data = {**intake("C-1", datetime(2026, 11, 23, tzinfo=UTC)), **fields}
    with pytest.raises(ValidationError) as refused:
        ComplaintIntake.model_validate(data)
    assert message in str(refused.value)


async def _history_is_healthy(desk: Desk, cid: str) -> None:
    history = await desk.env.client.get_workflow_handle(workflow_id_for(cid)).fetch_history()
    failed = [
        e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ]
    assert failed == [], "a workflow task failed"


async def test_bad_signals_sent_past_the_api_are_recorded_and_the_case_goes_on(desk: Desk) -> None:
    cid = await desk.open()
    before = await desk.api.snapshot(cid)
    handle = desk.env.client.get_workflow_handle(workflow_id_for(cid))
    for target, payload, _ in BAD:
        if target in SIGNALS:
            await handle.signal(target, payload)
    await handle.signal("customer_reply", MALFORMED_JSON)
    await desk.api.reply(cid, {"text": "after all that, a real message"})

    case = await desk.until(cid, lambda s: s.timeline_length > before.timeline_length)
    timeline = await desk.api.timeline(cid)
    messages = [e for e in timeline if e.kind is EntryKind.CUSTOMER_MESSAGE]
    assert [m.summary for m in messages] == ["after all that, a real message"]
    unreadable = [e for e in timeline if e.kind is EntryKind.UNREADABLE]
    assert len(unreadable) == sum(target in SIGNALS for target, _, _ in BAD) + 1
    assert case.stage is Stage.INVESTIGATE and case.severity == before.severity
    await _history_is_healthy(desk, cid)


async def test_bad_updates_sent_past_the_api_are_rejected_with_the_reason(desk: Desk) -> None:
    cid = await desk.open()

    async def acknowledged() -> list[TimelineEntry] | None:  # the case's own last entry
        timeline = await desk.api.timeline(cid)
        return timeline if any(e.kind is EntryKind.ACKNOWLEDGED for e in timeline) else None

    before = await eventually(acknowledged)
    handle = desk.env.client.get_workflow_handle(workflow_id_for(cid))
    for target, payload, message in [
        *[b for b in BAD if b[0] in UPDATES],
        ("respond", MALFORMED_JSON, ""),
    ]:
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(target, payload)
        assert message in str(refused.value.cause), target
    assert await desk.api.timeline(cid) == before  # nothing reached the case
    accepted = await desk.api.respond(cid, {"agent": "agent-zhang", "text": "我们在处理"})
    assert accepted.timeline_length > len(before)  # a valid action still goes through
    await _history_is_healthy(desk, cid)


async def test_bad_intake_sent_past_the_api_fails_the_run_with_the_reason_and_stores_nothing(
    desk: Desk,
) -> None:
    now = await desk.now()
    for i, (fields, message) in enumerate(BAD_INTAKE):
        cid = f"C-bad-{i}"
        handle = await desk.env.client.start_workflow(
            "Complaint",
            {**intake(cid, now), **fields},
            id=workflow_id_for(cid),
            task_queue=desk.api.task_queue,
        )
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
        assert message in str(failed.value.cause), fields
    assert await desk.pool.fetchval("SELECT count(*) FROM complaints") == 0
    assert await desk.pool.fetchval("SELECT count(*) FROM notification_outbox") == 0


async def test_the_api_refuses_bad_input_before_anything_is_sent(desk: Desk) -> None:
    cid = await desk.open()
    with pytest.raises(ValidationError, match="control characters"):
        await desk.api.reply(cid, {"text": "\x00"})
    with pytest.raises(ValidationError, match="at most 20 items"):
        await desk.api.add_finding(cid, {"agent": "a", "summary": "s", "evidence": EVIDENCE})
    # The case's own activities may still be adding events; what must be absent is what we sent.
    history = await desk.env.client.get_workflow_handle(workflow_id_for(cid)).fetch_history()
    sent = {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    }
    assert not [e for e in history.events if e.event_type in sent]


async def test_odd_but_legitimate_text_is_stored_verbatim(desk: Desk) -> None:
    cid = await desk.open()
    for text in ODD_BUT_FINE:
        await desk.api.reply(cid, {"text": text})
    await desk.until(cid, lambda s: s.timeline_length >= len(ODD_BUT_FINE) + 3)
    timeline = await desk.api.timeline(cid)
    assert [e.summary for e in timeline if e.kind is EntryKind.CUSTOMER_MESSAGE] == ODD_BUT_FINE

    async def stored() -> list[str] | None:
        rows = await desk.pool.fetch(
            "SELECT summary FROM complaint_events WHERE complaint_id = $1 AND kind = $2 "
            "ORDER BY seq",
            cid,
            EntryKind.CUSTOMER_MESSAGE.value,
        )
        found = [r["summary"] for r in rows]
        return found if len(found) == len(ODD_BUT_FINE) else None

    assert await eventually(stored) == ODD_BUT_FINE
    assert await desk.pool.fetchval("SELECT count(*) FROM complaint_events") > 0  # table intact
