"""The customer's view of a case, cut from the case as operators see it (pure).

An allow-list, not a deny-list: an entry shows only if it was marked public when recorded, and
its text only if the customer wrote it or it was written to them (or, for a stage change, it
names nothing but the stages the customer sees anyway); a new kind of entry stays hidden until
someone decides it is for the customer.
"""

from __future__ import annotations

from schemas.case import CaseSnapshot, EntryKind, TimelineEntry
from schemas.customer_view import CustomerEntry, CustomerView, Promise
from schemas.sla import DeadlineKind
from workflows.case_record import CUSTOMER

# Deadlines that are promises to the customer; triage and first assessment are internal.
PROMISES = frozenset(
    {
        DeadlineKind.ACKNOWLEDGE,
        DeadlineKind.RESPOND,
        DeadlineKind.RESOLVE,
        DeadlineKind.TEMPORARY_REMEDY,
        DeadlineKind.PROGRESS_UPDATE,
    }
)
# Entries whose words were said by the customer, or to them.
SPOKEN = frozenset(
    {
        EntryKind.CUSTOMER_MESSAGE,
        EntryKind.SURVEY_ANSWERED,
        EntryKind.AGENT_MESSAGE,
        EntryKind.PLAN_PROPOSED,
        EntryKind.PROGRESS,
    }
)
# Entries whose summary is fixed wording of the system's: "classify → investigate".
WORDED = frozenset({EntryKind.STAGE_CHANGED, EntryKind.ACKNOWLEDGED})
# The receipt acknowledgement is a message to the customer by definition (R-IN-6), but cases
# record it without the public mark: it is admitted by its kind (old histories included).
CUSTOMER_FACING = frozenset({EntryKind.ACKNOWLEDGED})
SHOWN = (
    SPOKEN
    | WORDED
    | CUSTOMER_FACING
    | {EntryKind.RECEIVED, EntryKind.SURVEY_SENT, EntryKind.REOPENED, EntryKind.CLOSED}
)


def view_for_customer(case: CaseSnapshot, timeline: list[TimelineEntry]) -> CustomerView:
    pending = [d for d in case.deadlines if d.running and d.kind in PROMISES]
    nxt = min(pending, key=lambda d: d.due_at, default=None)
    return CustomerView(
        complaint_id=case.complaint_id,
        subject=case.subject,
        stage=case.stage,
        outcome=case.outcome,
        received_at=case.received_at,
        next_promise=Promise(kind=nxt.kind, due_at=nxt.due_at) if nxt else None,
        waiting_on_you=case.waiting_on_customer,
        plan=case.plan.summary if case.plan else None,
        compensation_yuan=case.plan.compensation_yuan if case.plan else None,
        entries=[
            CustomerEntry(
                at=e.at,
                kind=e.kind,
                by="you" if e.actor == CUSTOMER else "us",
                text=e.summary if e.kind in SPOKEN | WORDED else None,
            )
            for e in timeline
            if (e.public and e.kind in SHOWN) or e.kind in CUSTOMER_FACING
        ],
    )
