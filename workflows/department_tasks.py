"""Cross-department tasks on a case (R-IV-2, seed 004: passing the buck between departments adds
2-3 days): each task has an owner, a due time and its own alarm; an overdue one goes to that
department's supervisor; a blocking one keeps the case from being resolved (pure).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from schemas.actions import TaskDone, TaskOverride, TaskRequest
from schemas.case import HANDLING, OPEN_STAGES, DepartmentTask, EntryKind
from schemas.notification import Audience
from schemas.refusals import RefusalCode
from workflows.case_record import SYSTEM, CaseRecord, Step, hm, refuse


def blocking(tasks: list[DepartmentTask]) -> list[DepartmentTask]:
    return [t for t in tasks if t.open and t.blocking]


def label(task: DepartmentTask) -> str:
    return f"task #{task.number} for {task.department.value} ({task.title})"


def task_facts(task: DepartmentTask) -> dict[str, str]:
    """A task as a reader names it: its number, its department and what it asks."""
    return {"task": str(task.number), "department": task.department.value, "title": task.title}


def check_open_task(case: CaseRecord, request: TaskRequest, now: datetime) -> None:
    if case.state.stage not in HANDLING:
        refuse(RefusalCode.TASKS_WHILE_HANDLED, stage=case.state.stage.value)
    if request.due_at <= now:
        refuse(RefusalCode.TASK_DUE_PASSED, due_at=request.due_at.isoformat())
    for t in case.state.tasks:
        if t.open and (t.department, t.title) == (request.department, request.title):
            refuse(RefusalCode.TASK_ALREADY_ASKED, task=t.number, department=t.department.value)


def open_task(case: CaseRecord, request: TaskRequest, now: datetime) -> None:
    tasks = case.state.tasks
    task = DepartmentTask(
        number=len(tasks) + 1,
        department=request.department,
        owner=request.owner,
        title=request.title,
        opened_by=request.by,
        opened_at=now,
        due_at=request.due_at,
        blocking=request.blocking,
    )
    tasks.append(task)
    name = label(task)
    block = ", blocks resolution" if task.blocking else ""
    case.record(
        EntryKind.TASK_OPENED,
        request.by,
        f"{name} → {task.owner}, due {hm(task.due_at)}{block}",
        now,
        facts={
            **task_facts(task),
            "owner": task.owner,
            "due_at": task.due_at.isoformat(),
            **({"variant": "blocking"} if task.blocking else {}),
        },
    )
    case.notify(
        Audience.DEPARTMENT,
        task.owner,
        "task_assigned",
        f"{name} on {case.state.intake.subject}: due {hm(task.due_at)}",
        now,
        facts={
            **task_facts(task),
            "subject": case.state.intake.subject,
            "due_at": task.due_at.isoformat(),
        },
    )


def _check_task_open(case: CaseRecord, number: int) -> DepartmentTask:
    tasks = case.state.tasks
    if not 1 <= number <= len(tasks):
        refuse(RefusalCode.NO_SUCH_TASK, task=number)
    task = tasks[number - 1]
    if not task.open:
        refuse(RefusalCode.TASK_ALREADY_DONE, task=task.number)
    return task


def check_complete_task(case: CaseRecord, done: TaskDone, now: datetime) -> None:
    _check_task_open(case, done.task)


def complete_task(case: CaseRecord, done: TaskDone, now: datetime) -> None:
    task = case.state.tasks[done.task - 1]
    task.done_at = now
    hours = (now - task.opened_at).total_seconds() / 3600
    late = " (late)" if now > task.due_at else ""
    note = f": {done.note}" if done.note else ""
    case.record(
        EntryKind.TASK_DONE,
        done.by,
        f"{label(task)} done in {hours:.1f} h{late}{note}",
        now,
        facts={
            **task_facts(task),
            "hours": f"{hours:.1f}",
            "note": done.note or "",
            **({"variant": "late"} if now > task.due_at else {}),
        },
    )
    case.tell_staff(
        Audience.OWNER,
        "task_done",
        f"{label(task)} done",
        now,
        facts={**task_facts(task), "subject": case.state.intake.subject},
    )


def check_override_task(case: CaseRecord, override: TaskOverride, now: datetime) -> None:
    task = _check_task_open(case, override.task)
    if not task.blocking:
        refuse(RefusalCode.TASK_DOES_NOT_BLOCK, task=task.number)


def override_task(case: CaseRecord, override: TaskOverride, now: datetime) -> None:
    task = case.state.tasks[override.task - 1]
    task.blocking, task.overridden_by = False, override.by
    case.record(
        EntryKind.TASK_OVERRIDDEN,
        override.by,
        f"{label(task)} no longer blocks resolution: {override.reason}",
        now,
        facts={**task_facts(task), "reason": override.reason},
    )


def steps(case: CaseRecord) -> list[Step]:
    """An alarm at each open task's due time, until its department's supervisor is told."""
    if case.state.stage not in OPEN_STAGES:
        return []
    return [
        (t.due_at, f"{label(t)} due", partial(_overdue, case, t))
        for t in case.state.tasks
        if t.open and t.escalated_at is None
    ]


def _overdue(case: CaseRecord, task: DepartmentTask, now: datetime) -> None:
    task.escalated_at = now
    name = label(task)
    case.record(
        EntryKind.TASK_OVERDUE,
        SYSTEM,
        f"{name} overdue (due {hm(task.due_at)}): {task.department.value} supervisor told",
        now,
        facts={**task_facts(task), "due_at": task.due_at.isoformat()},
    )
    overdue = {
        **task_facts(task),
        "owner": task.owner,
        "due_at": task.due_at.isoformat(),
        "subject": case.state.intake.subject,
    }
    case.notify(
        Audience.DEPARTMENT_SUPERVISOR,
        task.department.value,
        "task_overdue",
        f"{name}, owner {task.owner}, was due {hm(task.due_at)}",
        now,
        urgent=True,
        facts=overdue,
    )
    case.tell_staff(Audience.OWNER, "task_overdue", f"{name} is overdue", now, facts=overdue)
