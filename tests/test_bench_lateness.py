"""Deadline lateness, as the benchmarks measure it: from the recorded history, the completion of
the workflow task that acted on the deadline's timer, minus the deadline's due time (the case
stamps a breach with its due time, so the breach's recorded time alone always reads 0)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.client import WorkflowHistory

from bench.figures import breach_handled_at, lateness

# An L1 case nobody answered, recorded on the time-skipping server: its owner was warned at
# 15:33:37 (a timer, no breach), its respond deadline fell due at 15:48:37.458, that timer fired
# at 15:48:37.463 and the task it woke completed at 15:48:37.470, recording the breach.
# A copy kept apart from the baseline histories, which are re-recorded when the workflow changes.
RECORDED = Path(__file__).parent / "histories" / "late_respond_L1.json"
DUE = datetime(2026, 12, 7, 15, 48, 37, 458000, tzinfo=UTC)


def recorded() -> WorkflowHistory:
    return WorkflowHistory.from_json("complaint-C-20261123-0001", RECORDED.read_text())


def test_lateness_runs_to_the_task_that_acted_on_the_deadline_timer() -> None:
    events = recorded().events
    handled = datetime(2026, 12, 7, 15, 48, 37, 470000, tzinfo=UTC)
    assert breach_handled_at(events) == handled
    seconds = lateness(events, DUE)
    assert seconds is not None
    assert abs(seconds - 0.012) < 1e-6


def test_an_earlier_timer_that_recorded_no_breach_is_not_the_handling() -> None:
    events = recorded().events
    # Up to the owner warning's task: a timer fired and was acted on, nothing was breached.
    warned = next(
        i
        for i, e in enumerate(events)
        if e.event_time.ToDatetime(tzinfo=UTC) >= DUE - timedelta(minutes=14)
    )
    assert breach_handled_at(events[:warned]) is None
    assert lateness(events[:warned], DUE) is None


def test_a_case_handled_late_reads_late() -> None:
    """The same history read against a due time a second earlier: a second more late (the
    figure follows the handling, not the stamp)."""
    seconds = lateness(recorded().events, DUE - timedelta(seconds=1))
    assert seconds is not None
    assert abs(seconds - 1.012) < 1e-6
