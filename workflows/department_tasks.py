"""Cross-department tasks on a case (R-IV-2, seed 004: passing the buck between departments adds
2-3 days): each task has an owner, a due time and its own alarm; an overdue one goes to that
department's supervisor; a blocking one keeps the case from being resolved (pure).

The functions answer with a problem (a sentence) or None, so `CaseFile` turns a problem into a
refused update and these rules stay free of the case's other concerns.
"""

from __future__ import annotations

from datetime import datetime

from schemas.actions import TaskDone, TaskOverride, TaskRequest
from schemas.case import DepartmentTask


def request_problem(tasks: list[DepartmentTask], request: TaskRequest, now: datetime) -> str | None:
    if request.due_at <= now:
        return f"the task's due time {request.due_at.isoformat(timespec='minutes')} has passed"
    duplicate = [t for t in tasks if t.open and (t.department, t.title) ==
                 (request.department, request.title)]  # fmt: skip
    if duplicate:
        return f"task #{duplicate[0].number} already asks {request.department.value} for this"
    return None


def opened(tasks: list[DepartmentTask], request: TaskRequest, now: datetime) -> DepartmentTask:
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
    return task


def done_problem(tasks: list[DepartmentTask], done: TaskDone | TaskOverride) -> str | None:
    if not 1 <= done.task <= len(tasks):
        return f"the case has no task #{done.task}"
    task = tasks[done.task - 1]
    if not task.open:
        return f"task #{task.number} is already done"
    if isinstance(done, TaskOverride) and not task.blocking:
        return f"task #{task.number} does not block the case"
    return None


def blocking(tasks: list[DepartmentTask]) -> list[DepartmentTask]:
    return [t for t in tasks if t.open and t.blocking]


def overdue_unescalated(tasks: list[DepartmentTask]) -> list[DepartmentTask]:
    """Open tasks whose supervisor has not been told yet: each has an alarm at its due time."""
    return [t for t in tasks if t.open and t.escalated_at is None]


def label(task: DepartmentTask) -> str:
    return f"task #{task.number} for {task.department.value} ({task.title})"
