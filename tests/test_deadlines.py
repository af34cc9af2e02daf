"""SLA arithmetic without Temporal: due times per severity and policy, and re-grading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from activities.policy import load_policy
from schemas import DEFAULT_POLICY, DeadlineKind, Severity
from workflows.deadlines import label, next_pending, open_deadline, overdue, retarget, unmet

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("severity", "respond", "resolve"),
    [
        (Severity.L1, timedelta(hours=1), timedelta(hours=24)),
        (Severity.L2, timedelta(hours=24), timedelta(hours=48)),
        (Severity.L3, timedelta(hours=48), timedelta(hours=72)),
    ],
)
def test_default_policy_is_seed_000(
    severity: Severity, respond: timedelta, resolve: timedelta
) -> None:
    r = open_deadline(DEFAULT_POLICY, DeadlineKind.RESPOND, severity, 0, T0)
    s = open_deadline(DEFAULT_POLICY, DeadlineKind.RESOLVE, severity, 0, T0)
    assert (r.due_at - T0, s.due_at - T0) == (respond, resolve)


def test_acknowledgement_is_five_minutes_for_everyone() -> None:
    ack = open_deadline(DEFAULT_POLICY, DeadlineKind.ACKNOWLEDGE, None, 0, T0)
    assert ack.due_at == T0 + timedelta(minutes=5) and ack.severity is None
    assert label(ack) == "acknowledge deadline"


def test_seed_004_variant_is_configuration_only() -> None:
    policy = load_policy("policies/sla-seed-004.json")
    due = {s: open_deadline(policy, DeadlineKind.RESPOND, s, 0, T0).due_at - T0 for s in Severity}
    assert due == {
        Severity.L1: timedelta(hours=1),
        Severity.L2: timedelta(hours=2),
        Severity.L3: timedelta(hours=4),
    }
    assert load_policy("policies/sla-seed-000.json") == DEFAULT_POLICY


def test_regrading_keeps_the_start_and_moves_the_due_time() -> None:
    d = open_deadline(DEFAULT_POLICY, DeadlineKind.RESPOND, Severity.L3, 0, T0)
    raised = retarget(d, DEFAULT_POLICY, Severity.L1)
    assert raised.started_at == T0 and raised.due_at == T0 + timedelta(hours=1)
    assert label(raised) == "L1 respond deadline"


def test_settled_deadlines_keep_their_history() -> None:
    d = open_deadline(DEFAULT_POLICY, DeadlineKind.RESPOND, Severity.L3, 0, T0)
    d.met_at = T0 + timedelta(hours=3)
    assert retarget(d, DEFAULT_POLICY, Severity.L1) == d


def test_overdue_and_next_pending() -> None:
    ack = open_deadline(DEFAULT_POLICY, DeadlineKind.ACKNOWLEDGE, None, 0, T0)
    respond = open_deadline(DEFAULT_POLICY, DeadlineKind.RESPOND, Severity.L1, 0, T0)
    assert next_pending([respond, ack]) is ack
    assert overdue([ack, respond], T0 + timedelta(minutes=5)) == [ack]
    ack.met_at = T0
    assert next_pending([respond, ack]) is respond
    assert unmet([ack, respond], DeadlineKind.RESPOND, 0) is respond
    assert unmet([ack, respond], DeadlineKind.RESPOND, 1) is None


def test_reopen_rounds_are_labelled() -> None:
    d = open_deadline(DEFAULT_POLICY, DeadlineKind.RESOLVE, Severity.L2, 2, T0)
    assert label(d) == "L2 resolve deadline (re-open 2)"
