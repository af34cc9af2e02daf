"""Cross-department tasks on a case (R-IV-2, seed 004: passing the buck between departments adds
2-3 days): each task has an owner, a due time and its own alarm; an overdue one goes to that
department's supervisor; a blocking one keeps the case from being resolved (pure).

The functions answer with a problem (a sentence) or None, so `CaseFile` turns a problem into a
refused update and these rules stay free of the case's other concerns.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from schemas.actions import TaskDone, TaskOverride, TaskRequest
from schemas.case import DepartmentTask, EntryKind
from schemas.notification import Audience
from workflows.case_record import HANDLING, SYSTEM, CaseRecord, InvalidAction, Step, hm, refuse_if
from workflows.stages import OPEN_STAGES


def request_problem(tasks: list[DepartmentTask], request: TaskRequest, now: datetime) -> str | None:
    if request.due_at <= now:
        return f"the task's due time {request.due_at.isoformat(timespec='minutes')} has passed"
    duplicate = [
        t
        for t in tasks
        if t.open and (t.department, t.title) == (request.department, request.title)
    ]
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


def label(task: DepartmentTask) -> str:
    return f"task #{task.number} for {task.department.value} ({task.title})"


class DepartmentTaskActions(CaseRecord):
    """The task updates of `CaseFile`, and what an overdue task does."""

    def check_open_task(self, request: TaskRequest, now: datetime) -> None:
        if self.state.stage not in HANDLING:
            raise InvalidAction(
                f"tasks are opened while the case is handled; it is at '{self.state.stage.value}'"
            )
        refuse_if(request_problem(self.state.tasks, request, now))

    def open_task(self, request: TaskRequest, now: datetime) -> None:
        task = opened(self.state.tasks, request, now)
        name = label(task)
        block = ", blocks resolution" if task.blocking else ""
        self._record(
            EntryKind.TASK_OPENED,
            request.by,
            f"{name} → {task.owner}, due {hm(task.due_at)}{block}",
            now,
        )
        self._notify(
            Audience.DEPARTMENT,
            task.owner,
            "task_assigned",
            f"{name} on {self.state.intake.subject}: due {hm(task.due_at)}",
            now,
        )

    def check_complete_task(self, done: TaskDone, now: datetime) -> None:
        refuse_if(done_problem(self.state.tasks, done))

    def complete_task(self, done: TaskDone, now: datetime) -> None:
        task = self.state.tasks[done.task - 1]
        task.done_at = now
        hours = (now - task.opened_at).total_seconds() / 3600
        late = " (late)" if now > task.due_at else ""
        note = f": {done.note}" if done.note else ""
        self._record(
            EntryKind.TASK_DONE, done.by, f"{label(task)} done in {hours:.1f} h{late}{note}", now
        )
        self._tell_staff(Audience.OWNER, "task_done", f"{label(task)} done", now)

    def check_override_task(self, override: TaskOverride, now: datetime) -> None:
        refuse_if(done_problem(self.state.tasks, override))

    def override_task(self, override: TaskOverride, now: datetime) -> None:
        task = self.state.tasks[override.task - 1]
        task.blocking, task.overridden_by = False, override.by
        self._record(
            EntryKind.TASK_OVERRIDDEN,
            override.by,
            f"{label(task)} no longer blocks resolution: {override.reason}",
            now,
        )

    def _task_steps(self) -> list[Step]:
        """An alarm at each open task's due time, until its department's supervisor is told."""
        if self.state.stage not in OPEN_STAGES:
            return []
        return [
            (t.due_at, f"{label(t)} due", partial(self._task_overdue, t))
            for t in self.state.tasks
            if t.open and t.escalated_at is None
        ]

    def _task_overdue(self, task: DepartmentTask, now: datetime) -> None:
        task.escalated_at = now
        name = label(task)
        self._record(
            EntryKind.TASK_OVERDUE,
            SYSTEM,
            f"{name} overdue (due {hm(task.due_at)}): {task.department.value} supervisor told",
            now,
        )
        self._notify(
            Audience.DEPARTMENT_SUPERVISOR,
            task.department.value,
            "task_overdue",
            f"{name}, owner {task.owner}, was due {hm(task.due_at)}",
            now,
            urgent=True,
        )
        self._tell_staff(Audience.OWNER, "task_overdue", f"{name} is overdue", now)
