"""Cross-department tasks (R-IV-2): each has an owner and its own deadline; an overdue one goes to
that department's supervisor; a blocking one keeps the case from being resolved until it is done
or a supervisor overrides it; cycle times are on the timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from catalogue import render
from desk.errors import Refused
from schemas import CustomerReply, EntryKind, ProgressNote, ReplyIntent, ResolutionPlan, Stage
from schemas.actions import Department, TaskDone, TaskOverride, TaskRequest
from schemas.notification import Audience
from schemas.refusals import InvalidAction, Refusal, RefusalCode
from tests.support.cases import T0, classified
from tests.support.desk import Desk, eventually
from tests.support.refusals import refused
from workflows import closing, department_tasks, investigation
from workflows.case_file import CaseFile
from workflows.current_details import current_details

AGENT = "agent-a"
DUE = T0 + timedelta(hours=8)


def request(title: str = "查物流轨迹", blocking: bool = True) -> TaskRequest:
    return TaskRequest(
        by=AGENT,
        department=Department.LOGISTICS,
        owner="wl-chen",
        title=title,
        due_at=DUE,
        blocking=blocking,
    )


def tracking() -> CaseFile:
    """A case with an accepted plan being carried out."""
    case = classified()
    investigation.propose_plan(case, ResolutionPlan(agent=AGENT, summary="补发"), T0)
    closing.customer_reply(case, CustomerReply(text="好", intent=ReplyIntent.ACCEPT_PLAN), T0)
    assert case.state.stage is Stage.TRACK
    return case


def test_a_task_goes_to_its_owner_with_its_own_alarm() -> None:
    case = classified()
    department_tasks.check_open_task(case, request(), T0)
    department_tasks.open_task(case, request(), T0)
    task = case.state.tasks[0]
    assert (task.number, task.owner, task.due_at, task.blocking) == (1, "wl-chen", DUE, True)
    sent = case.outbox[-1]
    assert (sent.audience, sent.recipient, sent.topic) == (
        Audience.DEPARTMENT,
        "wl-chen",
        "task_assigned",
    )
    assert "task #1 for logistics (查物流轨迹) due" in [a.summary for a in case.agenda()]
    # Operators see it in the UI's current details, with the wait on the customer once paused.
    assert "task #1: logistics (wl-chen) due 2026-11-23 17:00 UTC" in current_details(case)


def test_an_overdue_task_escalates_to_the_departments_supervisor_once() -> None:
    case = classified()
    department_tasks.open_task(case, request(), T0)
    case.fire_due(DUE)
    to_department = [n for n in case.outbox if n.audience is Audience.DEPARTMENT_SUPERVISOR]
    assert [(n.recipient, n.topic) for n in to_department] == [("logistics", "task_overdue")]
    assert case.state.tasks[0].escalated_at == DUE
    assert not any("task #1" in a.summary for a in case.agenda())  # told once
    case.fire_due(DUE + timedelta(hours=1))
    assert len([n for n in case.outbox if n.audience is Audience.DEPARTMENT_SUPERVISOR]) == 1


def test_a_blocking_task_keeps_the_case_from_resolving_until_done() -> None:
    case = tracking()
    department_tasks.open_task(case, request(), T0)
    blocks: dict[str, str | int] = {"task": 1, "department": "logistics", "title": "查物流轨迹"}
    with refused(RefusalCode.TASK_STILL_BLOCKS, **blocks):
        investigation.check_record_progress(
            case, ProgressNote(agent=AGENT, note="已补发", completed=True), T0
        )
    department_tasks.check_complete_task(case, TaskDone(task=1, by="wl-chen"), T0)
    department_tasks.complete_task(
        case, TaskDone(task=1, by="wl-chen", note="已签收"), T0 + timedelta(hours=3)
    )
    done = next(e for e in case.state.timeline if e.kind is EntryKind.TASK_DONE)
    assert done.actor == "wl-chen" and "done in 3.0 h: 已签收" in done.summary
    investigation.check_record_progress(
        case, ProgressNote(agent=AGENT, note="已补发", completed=True), T0
    )


def test_a_supervisor_may_override_the_block() -> None:
    case = tracking()
    department_tasks.open_task(case, request(), T0)
    department_tasks.check_override_task(
        case, TaskOverride(task=1, by="sup-li", reason="客户已收到"), T0
    )
    department_tasks.override_task(case, TaskOverride(task=1, by="sup-li", reason="客户已收到"), T0)
    investigation.check_record_progress(
        case, ProgressNote(agent=AGENT, note="已补发", completed=True), T0
    )
    assert case.state.tasks[0].open and case.state.tasks[0].overridden_by == "sup-li"


REFUSALS: list[tuple[str, Callable[[CaseFile], None], Refusal]] = [
    (
        "unknown task",
        lambda c: department_tasks.check_complete_task(c, TaskDone(task=3, by="x"), T0),
        Refusal(RefusalCode.NO_SUCH_TASK, {"task": 3}),
    ),
    (
        "due in the past",
        lambda c: department_tasks.check_open_task(c, request("退款"), DUE),
        Refusal(RefusalCode.TASK_DUE_PASSED, {"due_at": DUE.isoformat()}),
    ),
    (
        "duplicate",
        lambda c: department_tasks.check_open_task(c, request(), T0),
        Refusal(RefusalCode.TASK_ALREADY_ASKED, {"task": 1, "department": "logistics"}),
    ),
    (
        "override a non-blocking task",
        lambda c: department_tasks.check_override_task(
            c, TaskOverride(task=2, by="s", reason="r"), T0
        ),
        Refusal(RefusalCode.TASK_DOES_NOT_BLOCK, {"task": 2}),
    ),
]


@pytest.mark.parametrize(("name", "action", "refusal"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_invalid_task_actions_are_refused(
    name: str, action: Callable[[CaseFile], None], refusal: Refusal
) -> None:
    case = classified()
    department_tasks.open_task(case, request(), T0)
    department_tasks.open_task(case, request("通知仓库", blocking=False), T0)
    before = case.state.model_copy(deep=True)
    with refused(refusal.code, **refusal.params):
        action(case)
    assert case.state == before


def test_a_refusal_names_the_department_in_the_readers_words() -> None:
    case = tracking()
    department_tasks.open_task(case, request(), T0)
    with pytest.raises(InvalidAction) as caught:
        investigation.check_record_progress(
            case, ProgressNote(agent=AGENT, note="已补发", completed=True), T0
        )
    assert "task #1 for logistics (查物流轨迹) is still open" in str(caught.value)
    assert render(f"refusal.{caught.value.refusal.code}", "zh", caught.value.refusal.params) == (
        "任务 #1（物流：查物流轨迹）尚未完成：须先完成，或由主管撤销其阻塞"
    )


def test_a_done_task_cannot_be_done_again() -> None:
    case = classified()
    department_tasks.open_task(case, request(), T0)
    department_tasks.complete_task(case, TaskDone(task=1, by="wl-chen"), T0)
    with refused(RefusalCode.TASK_ALREADY_DONE, task=1):
        department_tasks.check_complete_task(case, TaskDone(task=1, by="wl-chen"), T0)


async def test_an_overdue_task_escalates_and_blocks_through_temporal(desk: Desk) -> None:
    cid = await desk.open()
    now = await desk.now()
    await desk.api.open_task(
        cid,
        {
            "by": "agent-zhang",
            "department": "after_sales",
            "owner": "sh-wu",
            "title": "上门检测",
            "due_at": (now + timedelta(hours=4)).isoformat(),
        },
    )
    await desk.api.propose_plan(cid, {"agent": "agent-zhang", "summary": "上门更换"})
    await desk.api.reply(cid, {"text": "好", "intent": "accept_plan"})
    await desk.until(cid, lambda s: s.stage is Stage.TRACK)
    with pytest.raises(Refused) as refused:
        await desk.api.record_progress(
            cid, {"agent": "agent-zhang", "note": "好了", "completed": True}
        )
    assert "still open" in str(refused.value)

    await desk.skip(timedelta(hours=4, minutes=1))
    await desk.until_notified(cid, Audience.DEPARTMENT_SUPERVISOR, "task_overdue")
    await desk.api.complete_task(cid, {"task": 1, "by": "sh-wu"})
    case = await desk.api.record_progress(
        cid, {"agent": "agent-zhang", "note": "已更换", "completed": True}
    )
    assert case.stage is Stage.CLOSE and case.tasks[0].done_at is not None

    async def stored() -> list[dict[str, object]] | None:  # the case store has it, for the KPI
        tasks = await desk.pool.fetchval(
            "SELECT tasks FROM complaints WHERE complaint_id = $1", cid
        )
        return tasks if tasks and tasks[0]["done_at"] else None

    task = (await eventually(stored))[0]
    assert (task["department"], task["owner"], task["escalated_at"] is not None) == (
        "after_sales",
        "sh-wu",
        True,
    )
