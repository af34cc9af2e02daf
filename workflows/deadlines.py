"""SLA arithmetic: when each deadline falls due, and what a severity change does to it (pure).

A deadline's clock starts at a fixed moment (receipt, or the re-open) and its allowance comes
from the policy at the case's current severity; so re-grading a case moves the due time of every
pending deadline without restarting its clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from schemas.case import Deadline
from schemas.classification import Severity
from schemas.sla import DeadlineKind, SlaPolicy
from workflows.working_time import add_working_hours, add_working_time, working_time_between


def open_deadline(
    policy: SlaPolicy,
    kind: DeadlineKind,
    severity: Severity | None,
    round: int,
    started_at: datetime,
) -> Deadline:
    # Only respond and resolve depend on severity; the others can start before classification.
    if severity is None and kind.per_severity:
        raise ValueError(f"a {kind.value} deadline needs a severity")
    return Deadline(
        kind=kind,
        round=round,
        severity=severity if kind.per_severity else None,
        started_at=started_at,
        due_at=due_at(policy, kind, severity or Severity.L2, started_at),
    )


def retarget(deadline: Deadline, policy: SlaPolicy, severity: Severity) -> Deadline:
    """The same deadline under a new severity; settled deadlines keep what happened to them."""
    if not deadline.pending or not deadline.kind.per_severity:
        return deadline
    due = due_at(policy, deadline.kind, severity, deadline.started_at, deadline.paused_for)
    return deadline.model_copy(update={"severity": severity, "due_at": due})


def due_at(
    policy: SlaPolicy,
    kind: DeadlineKind,
    severity: Severity,
    started_at: datetime,
    paused_for: timedelta = timedelta(0),
    share: float = 1.0,
) -> datetime:
    """`share` of the allowance counted from `started_at`, in calendar time or the policy's
    working time, moved on by the time the clock was paused (measured on the same clock)."""
    allowance = policy.allowance(kind, severity) * share
    calendar = policy.working_calendar(kind, severity)
    if calendar is None:
        return started_at + allowance + paused_for
    due = add_working_time(started_at, allowance, calendar)
    return add_working_hours(due, paused_for, calendar) if paused_for else due


def recompute(deadline: Deadline, policy: SlaPolicy) -> Deadline:
    """The same pending deadline under another policy (or calendar), from its own start."""
    if not deadline.pending:
        return deadline
    severity = deadline.severity or Severity.L2
    due = due_at(policy, deadline.kind, severity, deadline.started_at, deadline.paused_for)
    return deadline.model_copy(update={"due_at": due})


def pause(deadline: Deadline, now: datetime) -> None:
    deadline.paused_at = now


def resume(deadline: Deadline, policy: SlaPolicy, now: datetime) -> timedelta:
    """Restart a paused deadline's clock; returns how long it was paused, on its own clock."""
    assert deadline.paused_at is not None
    severity = deadline.severity or Severity.L2
    calendar = policy.working_calendar(deadline.kind, severity)
    if calendar is None:
        paused = now - deadline.paused_at
    else:
        paused = working_time_between(deadline.paused_at, now, calendar)
    deadline.paused_for += paused
    deadline.paused_at = None
    deadline.due_at = due_at(
        policy, deadline.kind, severity, deadline.started_at, deadline.paused_for
    )
    return paused


def warning_due(policy: SlaPolicy, deadline: Deadline) -> datetime | None:
    """When the owner is warned that `deadline` is near: a share of its allowed time, on the same
    clock as the deadline. None once warned or settled, and for the automatic acknowledgement."""
    share = policy.escalation.warn_at
    if share is None or deadline.warned_at or not deadline.running:
        return None
    if deadline.kind is DeadlineKind.ACKNOWLEDGE:
        return None
    severity = deadline.severity or Severity.L2
    return due_at(policy, deadline.kind, severity, deadline.started_at, deadline.paused_for, share)


def management_due(policy: SlaPolicy, deadline: Deadline) -> datetime | None:
    """When management hears of a breach nobody has made good (None: not, or already told)."""
    after = policy.escalation.management_after
    if after is None or deadline.breached_at is None or deadline.met_at or deadline.management_at:
        return None
    return deadline.breached_at + after


def next_pending(deadlines: Iterable[Deadline]) -> Deadline | None:
    """The next deadline that can fall due (a paused one cannot, until it resumes)."""
    running = [d for d in deadlines if d.running]
    return min(running, key=lambda d: d.due_at, default=None)


def overdue(deadlines: Iterable[Deadline], now: datetime) -> list[Deadline]:
    return [d for d in deadlines if d.running and d.due_at <= now]


def unmet(deadlines: Iterable[Deadline], kind: DeadlineKind, round: int) -> Deadline | None:
    """The deadline of `kind` in `round` that an action now meets: the pending one, else one
    already breached (met late). A missed daily progress update is not met late: the next day's
    deadline has replaced it."""
    candidates = [d for d in deadlines if d.kind is kind and d.round == round and d.met_at is None]
    pending = [d for d in candidates if d.pending]
    if pending or kind is DeadlineKind.PROGRESS_UPDATE:
        return pending[0] if pending else None
    return candidates[0] if candidates else None


def label(deadline: Deadline) -> str:
    """How operators see a deadline in the UI: 'L1 respond deadline', 'acknowledge deadline'."""
    prefix = f"{deadline.severity.value} " if deadline.severity else ""
    prefix = "emergency " if deadline.kind.emergency else prefix
    suffix = f" (re-open {deadline.round})" if deadline.round else ""
    return f"{prefix}{deadline.kind.value.replace('_', ' ')} deadline{suffix}"
