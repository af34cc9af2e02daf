"""Random sequences of signals and updates against a real workflow (hypothesis).

`test_case_file` drives the same actions, clock jumps included, through the case's rules alone;
this drives them through Temporal, so a sequence that made a handler raise the wrong exception,
or the run loop trip over a state the rules allow, shows up as a failed workflow task or run.
Clock jumps stay in the unit test: on the time-skipping server a jump can strand a run whose
workflow task cancels a timer that fired meanwhile (temporalio/sdk-java#3088), a test-server
fault the dev-server and fault suites show the real server does not have.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from temporalio.api.enums.v1 import EventType

from desk.errors import Refused
from schemas import CaseSnapshot, Severity, Stage
from tests.support.cases import AGENT, actions
from tests.support.desk import Desk
from workflows.complaint import workflow_id_for

BROKEN = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
}


async def act(desk: Desk, cid: str, action: tuple[str, object]) -> None:
    """One action the way a customer, agent or supervisor would send it."""
    kind, arg = action
    api = desk.api
    signals: dict[str, Any] = {
        "reply": lambda: api.reply(cid, {"text": "…", "intent": arg}),
        "reopen": lambda: api.reopen(cid, {"reason": "again"}),
        "survey": lambda: api.answer_survey(cid, {"result": arg, "attitude": 3, "timeliness": 3}),
        "escalate": lambda: api.escalate(cid, {"by": "sup", "reason": "r", "severity": arg}),
        "risk_high": lambda: api.escalate(cid, {"by": "sup", "reason": "press", "risk": "high"}),
    }
    updates: dict[str, Any] = {
        "respond": lambda: api.respond(cid, {"agent": AGENT, "text": "t"}),
        "finding": lambda: api.add_finding(cid, {"agent": AGENT, "summary": "s"}),
        "plan": lambda: api.propose_plan(cid, {"agent": AGENT, "summary": "p"}),
        "progress": lambda: api.record_progress(
            cid, {"agent": AGENT, "note": "n", "completed": bool(arg)}
        ),
        "override": lambda: api.override_classification(
            cid, {"by": "sup", "reason": "r", "severity": Severity(str(arg))}
        ),
        "confirm": lambda: api.confirm_classification(cid, {"by": AGENT}),
    }
    if kind in signals:
        await signals[kind]()
        return
    # Refused with a reason when out of turn: the property is that nothing breaks.
    with contextlib.suppress(Refused):
        await updates[kind]()


def check(s: CaseSnapshot) -> None:
    assert (s.stage is Stage.DONE) == (s.outcome is not None)
    assert (s.stage in (Stage.FOLLOW_UP, Stage.DONE)) == (s.closed_at is not None)
    assert (s.stage is Stage.TRACK) <= (s.plan is not None)
    assert all(d.due_at > d.started_at for d in s.deadlines)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # each example opens its own case
)
@given(sequence=st.lists(actions.filter(lambda a: a[0] != "wait"), max_size=14))
async def test_no_sequence_fails_the_workflow(
    desk: Desk, sequence: list[tuple[str, object]]
) -> None:
    cid = await desk.open()
    for action in sequence:
        async with asyncio.timeout(30):  # an action that never answers is a failure too
            await act(desk, cid, action)
            snapshot = await desk.api.snapshot(cid)
        check(snapshot)
        if snapshot.stage is Stage.DONE:
            break
    history = await desk.env.client.get_workflow_handle(workflow_id_for(cid)).fetch_history()
    broken = [e for e in history.events if e.event_type in BROKEN]
    assert not broken, broken[0]
    timeline = await desk.api.timeline(cid)
    first = timeline[0].seq if timeline else 0
    assert [e.seq for e in timeline] == list(range(first, first + len(timeline)))
