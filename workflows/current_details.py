"""What the Temporal UI shows as a case's current details, built from the case's fields (pure).

Where it stands, what it waits for and on whom, and why it is graded so: the grade a person
gave last (`CaseState.graded_by`: an override, a confirmation, or an escalation that changed
severity or risk), else the rules' reasons. Markdown; an operator without the codec sees a
notice instead (`encryption.public_payloads`). Nothing here parses a timeline entry's text.
"""

from __future__ import annotations

from workflows.case_file import CaseFile


def current_details(case: CaseFile) -> str:
    snapshot = case.snapshot()
    lines = [
        f"**{snapshot.stage.value}** · {snapshot.severity or '-'} · risk {snapshot.risk or '-'} · "
        f"owner {snapshot.owner} ({snapshot.escalation_level.value}) · "
        f"re-opens {snapshot.reopen_count}"
    ]
    nxt = snapshot.next_deadline
    if nxt:
        lines.append(f"next: {nxt.kind.value} due {nxt.due_at:%Y-%m-%d %H:%M %Z}")
    if snapshot.waiting_on_customer:
        lines.append("waiting on the customer: the resolve clock is paused")
    if snapshot.plan_awaiting_approval:
        lines.append("waiting on a supervisor: compensation above an agent's authority")
    for t in snapshot.tasks:
        if t.open:
            late = " **overdue**" if t.escalated_at else ""
            lines.append(
                f"task #{t.number}: {t.department.value} ({t.owner}) due "
                f"{t.due_at:%Y-%m-%d %H:%M %Z}{late}"
            )
    graded = case.state.graded_by
    if graded:
        lines.append(f"why: {graded.kind.value} by {graded.actor}: {graded.summary}")
    elif snapshot.classification:
        reasons = snapshot.classification.reasons
        lines.append("why: " + "; ".join(f"{r.factor}: {r.detail}" for r in reasons))
    return "\n\n".join(lines)
