"""A complaint's whole life on the real Temporal test server, with time skipped, not waited."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool
from desk.errors import Refused
from desk.reading import describe
from schemas import DEFAULT_POLICY, Audience, ClosedBy, DeadlineKind, Outcome, Severity, Stage
from schemas.calendar import QuietHours
from tests.support.desk import Desk, intake, running_desk
from tests.support.lifecycle import AGENT, drive_to_close
from workflows import search_attributes
from workflows.complaint import workflow_id_for
from workflows.working_time import quiet_until

SHANGHAI = ZoneInfo("Asia/Shanghai")
# What the customer hears over a whole lifecycle, in order.
TOLD_THE_CUSTOMER = [
    "acknowledged",
    "agent_message",
    "plan_proposed",
    "plan_accepted",
    "result_delivered",
    "closed",
    "survey",
]


async def test_happy_path_runs_through_follow_up(desk: Desk) -> None:
    cid = await desk.open()
    await drive_to_close(desk, cid)
    await desk.api.reply(cid, {"text": "好了，谢谢", "intent": "confirm_resolved"})
    closed = await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP)
    assert closed.closed_by is ClosedBy.CUSTOMER and closed.survey_sent_at is None

    await desk.skip(timedelta(days=3, minutes=1))
    surveyed = await desk.until(cid, lambda s: s.survey_sent_at is not None)
    assert surveyed.closed_at is not None and surveyed.survey_sent_at is not None
    assert surveyed.survey_sent_at - surveyed.closed_at < timedelta(days=3, minutes=1)

    await desk.api.answer_survey(cid, {"result": 5, "attitude": 5, "timeliness": 4})
    final = await desk.api.outcome(cid)
    assert final.stage is Stage.DONE and final.outcome is Outcome.CLOSED_CONFIRMED
    assert not any(d.breached_at for d in final.deadlines)
    assert all(d.met_at for d in final.deadlines)
    assert await desk.notified(cid, Audience.CUSTOMER) == TOLD_THE_CUSTOMER


async def test_a_case_that_ends_in_quiet_hours_sends_its_last_messages_when_they_end(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    """Quiet hours around the test server's "now", whatever the hour the suite runs at: the
    case ends (stage done) at once, its run stays open until the held messages are sent, and
    none is sent before the quiet hours end or lost after. (The survey's invitation never goes
    out in quiet hours, so the customer answers before it, as this policy allows.)"""
    now = (await env.get_current_time()).astimezone(SHANGHAI)
    quiet = QuietHours(
        begins=(now - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        ends=(now + timedelta(hours=2)).time().replace(second=0, microsecond=0),
    )
    night = DEFAULT_POLICY.model_copy(
        update={"quiet_hours": quiet, "survey_before_invitation": True}
    )
    async with running_desk(env.client, env, pool, night, "quiet-hours") as desk:
        cid = await desk.open()
        await drive_to_close(desk, cid)
        await desk.api.reply(cid, {"text": "好了，谢谢", "intent": "confirm_resolved"})
        await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP and s.survey_open)
        await desk.api.answer_survey(cid, {"result": 5, "attitude": 5, "timeliness": 4})
        done = await desk.until(cid, lambda s: s.stage is Stage.DONE)
        assert done.outcome is Outcome.CLOSED_CONFIRMED
        assert await desk.api.status(cid) is WorkflowExecutionStatus.RUNNING  # messages held
        # ...and yet the list (search attributes) already shows it ended, not its last stage.
        described = await describe(desk.env.client, workflow_id_for(cid))
        assert described is not None
        shown = described.workflow_execution_info.search_attributes.indexed_fields
        stage = search_attributes.STAGE.name
        assert json.loads(shown[stage].data) == Stage.DONE.value

        assert done.closed_at is not None
        morning = quiet_until(done.closed_at, quiet)
        assert morning is not None
        held = await desk.pool.fetch(
            "SELECT topic, not_before FROM notification_outbox WHERE complaint_id = $1"
            " AND topic = 'closed'",
            cid,
        )
        assert [r["not_before"] for r in held] == [morning]

        await desk.skip(morning - await desk.now() + timedelta(minutes=1))
        final = await desk.api.outcome(cid)
        assert final.outcome is Outcome.CLOSED_CONFIRMED
        told = await desk.notified(cid, Audience.CUSTOMER)
        assert told == [t for t in TOLD_THE_CUSTOMER if t != "survey"]  # answered before it


@pytest.mark.parametrize(
    ("description", "severity", "allowed"),
    [
        ("孩子吃了你们的饼干后食物中毒，已经去医院了。", Severity.L1, timedelta(hours=1)),
        ("新买的洗衣机第一次用就漏水，地板都泡了。", Severity.L2, timedelta(hours=24)),
        ("建议App增加夜间模式，晚上看太亮了。", Severity.L3, timedelta(hours=48)),
    ],
    ids=["L1", "L2", "L3"],
)
async def test_respond_deadline_fires_at_its_due_time_and_escalates(
    desk: Desk, description: str, severity: Severity, allowed: timedelta
) -> None:
    cid = await desk.open(description=description)
    case = await desk.api.snapshot(cid)
    assert case.severity is severity
    respond = next(d for d in case.deadlines if d.kind is DeadlineKind.RESPOND)
    assert respond.due_at == case.received_at + allowed

    await desk.skip(allowed - timedelta(minutes=1))
    assert (await desk.api.snapshot(cid)).escalation_level.value == "owner"

    await desk.skip(timedelta(minutes=2))
    case = await desk.until(cid, lambda s: any(d.breached_at for d in s.deadlines))
    breached = [d for d in case.deadlines if d.breached_at]
    # L1 here is also high risk: its emergency first assessment (1 h from classification) too.
    assert DeadlineKind.RESPOND in {d.kind for d in breached}
    for d in breached:
        assert d.breached_at is not None
        assert timedelta(0) <= d.breached_at - d.due_at < timedelta(seconds=1)
    assert case.escalation_level.value == "supervisor"
    await desk.until_notified(cid, Audience.SUPERVISOR, "deadline_breached")


async def test_no_breach_when_the_response_is_in_time(desk: Desk) -> None:
    cid = await desk.open()  # L2: 24 h to respond
    await desk.skip(timedelta(hours=23))
    case = await desk.api.respond(cid, {"agent": AGENT, "text": "我们已安排工程师联系您。"})
    respond = next(d for d in case.deadlines if d.kind is DeadlineKind.RESPOND)
    assert respond.met_at is not None and respond.met_at < respond.due_at

    await desk.skip(timedelta(hours=2))
    case = await desk.api.snapshot(cid)
    assert not any(d.breached_at for d in case.deadlines if d.kind is DeadlineKind.RESPOND)
    assert case.escalation_level.value == "owner"


async def test_escalation_raises_severity_and_shortens_the_pending_deadline(desk: Desk) -> None:
    cid = await desk.open(description="建议增加夜间模式。")  # L3: 48 h to respond
    received = (await desk.api.snapshot(cid)).received_at
    await desk.skip(timedelta(minutes=30))
    await desk.api.escalate(
        cid, {"by": "sup-li", "reason": "客户在微博上曝光", "severity": "L1", "risk": "high"}
    )
    case = await desk.until(cid, lambda s: s.severity is Severity.L1)
    respond = next(d for d in case.deadlines if d.kind is DeadlineKind.RESPOND)
    assert respond.due_at == received + timedelta(hours=1)
    assert case.risk is not None and case.risk.value == "high"

    await desk.skip(timedelta(minutes=31))
    case = await desk.until(cid, lambda s: any(d.breached_at for d in s.deadlines))
    assert next(d for d in case.deadlines if d.breached_at).kind is DeadlineKind.RESPOND


async def test_escalation_cannot_lower_severity(desk: Desk) -> None:
    cid = await desk.open(description="有人盗刷了我的账户资金！")  # L1
    await desk.api.escalate(cid, {"by": "sup-li", "reason": "not urgent", "severity": "L3"})
    await desk.until(cid, lambda s: s.escalation_level.value == "owner")
    timeline = await desk.api.timeline(cid)
    refusals = [e for e in timeline if e.kind.value == "refused"]
    assert len(refusals) == 1 and "only be raised" in refusals[0].summary
    assert (await desk.api.snapshot(cid)).severity is Severity.L1


async def test_rejected_plan_goes_back_to_investigation(desk: Desk) -> None:
    cid = await desk.open()
    await desk.api.propose_plan(cid, {"agent": AGENT, "summary": "补偿 20 元优惠券"})
    await desk.api.reply(cid, {"text": "不接受，我要换新机", "intent": "reject_plan"})
    case = await desk.until(cid, lambda s: s.stage is Stage.INVESTIGATE)
    assert case.plan is None
    case = await desk.api.propose_plan(cid, {"agent": AGENT, "summary": "换新机"})
    assert case.stage is Stage.RESOLVE


async def test_reopen_during_follow_up_starts_a_new_round(desk: Desk) -> None:
    cid = await desk.open()
    await drive_to_close(desk, cid)
    await desk.api.reply(cid, {"text": "好了", "intent": "confirm_resolved"})
    await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP)
    await desk.skip(timedelta(days=4))
    await desk.api.reopen(cid, {"reason": "又漏水了"})
    case = await desk.until(cid, lambda s: s.stage is Stage.INVESTIGATE)
    assert case.reopen_count == 1 and case.closed_at is None
    round_1 = [d for d in case.deadlines if d.round == 1]
    assert {d.kind for d in round_1} == {DeadlineKind.RESPOND, DeadlineKind.RESOLVE}
    assert all(d.pending for d in round_1)


async def test_low_survey_score_reopens(desk: Desk) -> None:
    cid = await desk.open()
    await drive_to_close(desk, cid)
    await desk.api.reply(cid, {"text": "好了", "intent": "confirm_resolved"})
    await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP)
    await desk.skip(timedelta(days=3, minutes=1))
    await desk.until(cid, lambda s: s.survey_open)
    await desk.api.answer_survey(cid, {"result": 1, "attitude": 3, "timeliness": 2})
    case = await desk.until(cid, lambda s: s.stage is Stage.INVESTIGATE)
    assert case.reopen_count == 1


async def test_silence_closes_then_no_answer_ends_as_no_response(desk: Desk) -> None:
    cid = await desk.open()
    await drive_to_close(desk, cid)
    await desk.skip(timedelta(days=3, minutes=1))  # confirmation wait
    case = await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP)
    assert case.closed_by is ClosedBy.SILENCE
    await desk.skip(timedelta(days=7))
    final = await desk.api.outcome(cid)
    assert final.outcome is Outcome.CLOSED_NO_RESPONSE
    assert final.survey_sent_at is not None


async def test_second_start_for_the_same_complaint_lands_on_the_same_case(desk: Desk) -> None:
    cid = await desk.open()
    again = await desk.api.start(intake(cid, await desk.now(), channel="hotline"))
    assert again.created is False and again.workflow_id == workflow_id_for(cid)
    case = await desk.api.snapshot(cid)
    assert case.channel.value == "app_form"  # the first contact's case, untouched


async def test_invalid_intake_is_refused_and_nothing_starts(desk: Desk) -> None:
    bad = intake("C-bad-1", await desk.now(), customer={"name": "匿名?"}, channel="fax")
    with pytest.raises(ValidationError) as refused:
        await desk.api.start(bad)
    problems = {".".join(map(str, e["loc"])) for e in refused.value.errors()}
    assert {"channel", "customer"} <= problems
    with pytest.raises(RPCError):
        await desk.env.client.get_workflow_handle(workflow_id_for("C-bad-1")).describe()


async def test_agent_action_out_of_turn_is_refused_with_a_reason(desk: Desk) -> None:
    cid = await desk.open()
    with pytest.raises(Refused) as refused:
        await desk.api.record_progress(cid, {"agent": AGENT, "note": "done", "completed": True})
    assert "stage 'investigating'" in str(refused.value)
    timeline = await desk.api.timeline(cid)
    assert all(e.kind.value != "progress" for e in timeline)  # nothing reached the case


async def test_reopening_an_ended_case_starts_a_new_case_linked_to_it(desk: Desk) -> None:
    cid = await desk.open()
    await drive_to_close(desk, cid)
    await desk.skip(timedelta(days=3, minutes=1))
    await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP)
    await desk.skip(timedelta(days=7))
    assert (await desk.api.outcome(cid)).outcome is Outcome.CLOSED_NO_RESPONSE

    again = await desk.api.reopen(cid, {"reason": "洗衣机又漏水了"})
    assert again.created and again.complaint_id == f"{cid}-R1"
    desk.opened.append(again.complaint_id)
    case = await desk.until(again.complaint_id, lambda s: s.stage is Stage.INVESTIGATE)
    assert case.linked_to == cid and case.owner == "agent-zhang"  # the first agent keeps it
    received = (await desk.api.timeline(again.complaint_id))[0].summary
    assert f"re-opens {cid}, which had ended" in received
    # A second request while the new case is open re-opens that one, not a third.
    assert (await desk.api.reopen(cid, {"reason": "还是不行"})).complaint_id == f"{cid}-R1"
