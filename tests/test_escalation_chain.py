"""The escalation chain (R-SLA-1): the owner is warned before a deadline, the supervisor told at
the breach, management if it is still unmet after the policy's interval — at those times."""

from __future__ import annotations

from datetime import timedelta

from schemas import (
    DEFAULT_POLICY,
    AgentMessage,
    DeadlineKind,
    EntryKind,
    Escalation,
    EscalationLevel,
    Severity,
)
from schemas.notification import Audience
from tests.support.cases import T0, classified
from tests.support.desk import Desk
from workflows import investigation
from workflows.case_file import CaseFile

L2_RESPOND = timedelta(hours=24)


def told(case: CaseFile, audience: Audience) -> list[str]:
    return [n.topic for n in case.outbox if n.audience is audience]


def level(case: CaseFile) -> EscalationLevel:
    """Read afresh each time (a plain attribute read would be narrowed by the type checker)."""
    return case.state.escalation_level


def entries(case: CaseFile, kind: EntryKind) -> list[str]:
    return [e.summary for e in case.state.timeline if e.kind is kind]


def test_warning_then_supervisor_then_management_at_the_configured_times() -> None:
    case = classified()  # L2: respond within 24 h
    assert case.state.severity is Severity.L2
    names = {a.summary: a.due_at for a in case.agenda()}
    assert names["warn owner: L2 respond deadline near"] == T0 + L2_RESPOND * 0.75

    case.fire_due(T0 + timedelta(hours=18))
    assert told(case, Audience.OWNER)[-1] == "deadline_warning"
    assert entries(case, EntryKind.DEADLINE_WARNING) == [
        f"L2 respond deadline due {(T0 + L2_RESPOND).isoformat(timespec='minutes')}: owner warned"
    ]
    assert level(case) is EscalationLevel.OWNER
    assert "deadline_breached" not in told(case, Audience.SUPERVISOR)

    case.fire_due(T0 + L2_RESPOND)
    assert told(case, Audience.SUPERVISOR)[-1] == "deadline_breached"
    assert level(case) is EscalationLevel.SUPERVISOR
    alarms = {a.summary: a.due_at for a in case.agenda()}
    tell_at = alarms["tell management: L2 respond deadline still missed"]
    assert tell_at == T0 + L2_RESPOND + timedelta(hours=4)

    case.fire_due(tell_at)
    assert told(case, Audience.MANAGEMENT) == ["deadline_unmet"]
    assert level(case) is EscalationLevel.MANAGEMENT
    assert not any("tell management" in a.summary for a in case.agenda())  # told once
    # A supervisor's later escalation does not lower the level.
    case.escalate_case(Escalation(by="sup-li", reason="客户再次来电"), tell_at)
    assert level(case) is EscalationLevel.MANAGEMENT


def test_a_breach_made_good_in_time_never_reaches_management() -> None:
    case = classified()
    case.fire_due(T0 + L2_RESPOND)
    investigation.respond(case, AgentMessage(agent="agent-a", text="抱歉回复晚了"), T0 + L2_RESPOND)
    assert not any("tell management" in a.summary for a in case.agenda())
    case.fire_due(T0 + L2_RESPOND + timedelta(hours=5))
    assert told(case, Audience.MANAGEMENT) == []


def test_the_acknowledgement_is_not_warned_and_a_policy_may_turn_the_chain_off() -> None:
    case = classified()
    assert not any("acknowledge" in a.summary and "warn" in a.summary for a in case.agenda())
    quiet = DEFAULT_POLICY.model_copy(
        update={
            "escalation": DEFAULT_POLICY.escalation.model_copy(
                update={"warn_at": None, "management_after": None}
            )
        }
    )
    case.state.policy = quiet
    assert not any(a.summary.startswith(("warn", "tell")) for a in case.agenda())


async def test_the_chain_through_temporal(desk: Desk) -> None:
    cid = await desk.open()  # L2
    received = (await desk.api.snapshot(cid)).received_at
    await desk.skip(timedelta(hours=18) - timedelta(minutes=1))
    assert "deadline_warning" not in await desk.notified(cid, Audience.OWNER)
    await desk.skip(timedelta(minutes=2))
    await desk.until_notified(cid, Audience.OWNER, "deadline_warning")

    await desk.skip(timedelta(hours=6))
    await desk.until_notified(cid, Audience.SUPERVISOR, "deadline_breached")
    await desk.skip(timedelta(hours=4))
    await desk.until_notified(cid, Audience.MANAGEMENT, "deadline_unmet")
    case = await desk.until(cid, lambda s: s.escalation_level is EscalationLevel.MANAGEMENT)
    respond = next(d for d in case.deadlines if d.kind is DeadlineKind.RESPOND)
    assert respond.warned_at is not None and respond.management_at is not None
    expected = [
        (respond.warned_at, received + timedelta(hours=18)),
        (respond.breached_at, received + timedelta(hours=24)),
        (respond.management_at, received + timedelta(hours=28)),
    ]
    for fired, due in expected:
        assert fired is not None and timedelta(0) <= fired - due < timedelta(seconds=1)
