"""The customer's view of a case, cut from the case as operators see it (pure).

An allow-list, not a deny-list: an entry shows only if it was marked public when recorded, and
words only if the customer wrote them or they were written to them; of an entry's facts only the
ones the customer's page words it with; a new kind of entry stays hidden until someone decides
it is for the customer. Nothing in it is English for the customer to read: stage changes become
the steps' times (`nodes`), and the page words the rest from kinds and facts.
"""

from __future__ import annotations

from datetime import datetime

from schemas.case import CaseSnapshot, EntryKind, Stage, TimelineEntry
from schemas.customer_view import CustomerEntry, CustomerView, Promise, StageNode
from schemas.sla import DeadlineKind
from schemas.survey import ANSWER_FACT
from workflows.case_record import CUSTOMER

# The steps a customer sees, in order: classification is ours (part of "received"), and an
# ended case has every step behind it.
STEPS = (
    Stage.RECEIVE,
    Stage.INVESTIGATE,
    Stage.RESOLVE,
    Stage.TRACK,
    Stage.CLOSE,
    Stage.FOLLOW_UP,
)
_AS_STEP = {Stage.CLASSIFY: Stage.RECEIVE}
# Deadlines that are promises to the customer, and the step each one promises an end to;
# triage and first assessment are internal.
PROMISED_STEP = {
    DeadlineKind.ACKNOWLEDGE: Stage.RECEIVE,
    DeadlineKind.RESPOND: Stage.INVESTIGATE,
    DeadlineKind.TEMPORARY_REMEDY: Stage.INVESTIGATE,
    DeadlineKind.RESOLVE: Stage.TRACK,
    DeadlineKind.PROGRESS_UPDATE: Stage.TRACK,
}
PROMISES = frozenset(PROMISED_STEP)
# Entries whose summary is the words themselves: said by the customer, or written to them.
SPOKEN = frozenset({EntryKind.CUSTOMER_MESSAGE, EntryKind.AGENT_MESSAGE, EntryKind.PROGRESS})
# The receipt acknowledgement is a message to the customer by definition (R-IN-6), but cases
# record it without the public mark: it is admitted by its kind (old histories included).
CUSTOMER_FACING = frozenset({EntryKind.ACKNOWLEDGED})
# What the page may word each shown kind with (any other fact may name an agent or be ours).
ANSWERS = "answers"  # stands for every `answer_<key>` fact
FACTS: dict[EntryKind, frozenset[str]] = {
    EntryKind.RECEIVED: frozenset(),
    EntryKind.ACKNOWLEDGED: frozenset(),
    EntryKind.CUSTOMER_MESSAGE: frozenset(),
    EntryKind.AGENT_MESSAGE: frozenset(),
    EntryKind.PROGRESS: frozenset(),
    EntryKind.PLAN_PROPOSED: frozenset({"plan", "compensation_yuan"}),
    EntryKind.SURVEY_SENT: frozenset(),
    # `answer_<key>` facts, one a question (catalogue.entries.answers_text words them)
    EntryKind.SURVEY_ANSWERED: frozenset({ANSWERS}),
    EntryKind.REOPENED: frozenset(),
    EntryKind.CLOSED: frozenset(),
}
SHOWN = frozenset(FACTS)
# How a re-open request's message is recorded (workflows/closing.py `reopen_request`): the
# customer's words follow it; the page says "you asked us to re-open" in the reader's language.
REOPEN_REQUEST = "Re-open request: "
ASKS_REOPEN = {"request": "reopen"}


def view_for_customer(case: CaseSnapshot, timeline: list[TimelineEntry]) -> CustomerView:
    pending = [d for d in case.deadlines if d.running and d.kind in PROMISES]
    nxt = min(pending, key=lambda d: d.due_at, default=None)
    return CustomerView(
        complaint_id=case.complaint_id,
        subject=case.subject,
        stage=case.stage,
        outcome=case.outcome,
        received_at=case.received_at,
        nodes=nodes(case, timeline),
        next_promise=Promise(kind=nxt.kind, due_at=nxt.due_at) if nxt else None,
        waiting_on_you=case.waiting_on_customer,
        plan=case.plan.summary if case.plan else None,
        compensation_yuan=case.plan.compensation_yuan if case.plan else None,
        # Filled by the follow-up policy; cases that do not fill it take an answer once the
        # invitation went out, until the follow-up ends.
        survey_open=case.survey_open
        or (case.stage is Stage.FOLLOW_UP and case.survey_sent_at is not None),
        survey_questions=case.survey_questions,
        entries=[
            _entry(e)
            for e in timeline
            if (e.public and e.kind in SHOWN) or e.kind in CUSTOMER_FACING
        ],
    )


def nodes(case: CaseSnapshot, timeline: list[TimelineEntry]) -> list[StageNode]:
    """The steps with when each was last reached, and each open step's earliest promise."""
    now = (
        len(STEPS)
        if case.stage is Stage.DONE
        else STEPS.index(_AS_STEP.get(case.stage, case.stage))
    )
    reached: dict[Stage, datetime] = {Stage.RECEIVE: case.received_at}
    for e in timeline:
        if e.kind is EntryKind.STAGE_CHANGED and e.stage in STEPS:
            reached[e.stage] = e.at
    promised: dict[Stage, Promise] = {}
    for d in sorted(case.deadlines, key=lambda d: d.due_at):
        if d.running and d.kind in PROMISED_STEP:
            promised.setdefault(PROMISED_STEP[d.kind], Promise(kind=d.kind, due_at=d.due_at))
    return [
        StageNode(
            stage=step,
            state="past" if i < now else ("now" if i == now else "next"),
            reached_at=reached.get(step) if i <= now else None,
            promise=promised.get(step) if i >= now else None,
        )
        for i, step in enumerate(STEPS)
    ]


def _entry(e: TimelineEntry) -> CustomerEntry:
    text = e.summary if e.kind in SPOKEN else None
    allowed = FACTS.get(e.kind, frozenset())
    facts = {
        k: v
        for k, v in e.facts.items()
        if k in allowed or (ANSWERS in allowed and k.startswith(ANSWER_FACT))
    }
    if e.kind is EntryKind.CUSTOMER_MESSAGE and text and text.startswith(REOPEN_REQUEST):
        text, facts = text.removeprefix(REOPEN_REQUEST), {**facts, **ASKS_REOPEN}
    return CustomerEntry(
        at=e.at, kind=e.kind, by="you" if e.actor == CUSTOMER else "us", text=text, facts=facts
    )
