"""A case that stopped moving: its workflow is running but every workflow task fails (or times
out), so no signal, update, query or deadline is handled. Found by the watchdog, one alert per
episode, repaired by resetting the run to its last good workflow task."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

STUCK_KIND = "stuck"  # the `alerts.kind` of a stuck case
# Temporal's own flag on a run whose workflow task keeps failing (Server 1.30+), as a list filter.
REPORTED_PROBLEMS = (
    'TemporalReportedProblems IN ("category=WorkflowTaskFailed", "category=WorkflowTaskTimedOut")'
)


class WatchdogPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    failed_tasks: int = Field(
        default=2, ge=1, description="Consecutive failed workflow tasks before a case is stuck"
    )
    limit: int = Field(default=1000, ge=1, description="At most this many cases per sweep")
    scan_all: bool = Field(
        default=False,
        description="Describe every open case instead of trusting TemporalReportedProblems "
        "(a server where that flag is off; one call per open case)",
    )


class StuckCase(BaseModel):
    """What the watchdog knows of one stuck case; ids, times and Temporal's cause, no content."""

    complaint_id: str
    workflow_id: str
    run_id: str
    failed_event_id: int = Field(description="The first WorkflowTaskFailed/TimedOut of the run")
    since: datetime = Field(description="When that first failure happened")
    attempts: int = Field(description="The pending workflow task's attempt number")
    cause: str = Field(description="Temporal's cause, e.g. NonDeterministicError, TimedOut")
    reset_to: int | None = Field(
        description="The last WorkflowTaskCompleted before the first failure: where repair goes"
    )

    @property
    def key(self) -> str:
        """One alert per episode: a repaired run that sticks again is a new episode."""
        return f"{STUCK_KIND}/{self.complaint_id}/{self.run_id}/{self.failed_event_id}"

    def facts(self) -> dict[str, str]:
        """The alert for a supervisor to read (`notice.alert_stuck`, catalogue/)."""
        return {
            "complaint_id": self.complaint_id,
            "since_at": self.since.isoformat(),
            "attempts": str(self.attempts),
            "cause": self.cause,
            "repair": f"complaint-desk repair {self.complaint_id}",
        }

    def text(self) -> str:
        return (
            f"stuck case {self.complaint_id}: its workflow task has failed since "
            f"{self.since.isoformat(timespec='seconds')} (attempt {self.attempts}, {self.cause}); "
            f"its messages, actions and deadlines wait. Fix the cause, then "
            f"`complaint-desk repair {self.complaint_id}`."
        )


class WatchdogSweep(BaseModel):
    """One sweep, at a moment; what counts as stuck is the worker's `WatchdogPolicy`."""

    at: datetime
