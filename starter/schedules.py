"""The Temporal Schedules the system runs on: created by `complaint-desk setup` and `./dev up`,
idempotently (a second setup finds them and changes nothing). The sweeps start with no input:
their thresholds are the worker's (`worker.build_worker`), so a start cannot carry forged ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from configuration.settings import Settings
from reports.periods import ZONE, ReportKind
from workflows.alert_sweep import AlertSweepWorkflow
from workflows.complaint import TASK_QUEUE
from workflows.grading_candidate import GradingCandidateWorkflow
from workflows.report import ComplaintReportWorkflow
from workflows.watchdog import StuckCaseWatchdogWorkflow

ALERT_SWEEP = "complaint-alert-sweep"
ALERT_SWEEP_EVERY = timedelta(minutes=5)
# Reports at 08:00 company time for the period just ended.
REPORT_CRON = {
    ReportKind.DAILY: "0 8 * * *",
    ReportKind.WEEKLY: "0 8 * * 1",
    ReportKind.MONTHLY: "0 8 1 * *",
}
STUCK_CASES = "complaint-stuck-cases"
# A grading candidate from people's corrections, each night at 03:00 company time; adopted or
# rejected by a supervisor (docs/grading.md, "Learning with approval").
GRADING_CANDIDATE = "complaint-grading-candidate"
GRADING_CANDIDATE_CRON = "0 3 * * *"
STUCK_CASES_EVERY = timedelta(minutes=5)


def report_schedule_id(kind: ReportKind) -> str:
    return f"complaint-report-{kind.value}"


def schedules(
    task_queue: str = TASK_QUEUE, watchdog: WatchdogSettings | None = None
) -> dict[str, Schedule]:
    # A run still going when the next is due: skip the next, never pile them up.
    skip = SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP)
    found = {
        ALERT_SWEEP: Schedule(
            action=ScheduleActionStartWorkflow(
                AlertSweepWorkflow.run, id=ALERT_SWEEP, task_queue=task_queue
            ),
            spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=ALERT_SWEEP_EVERY)]),
            policy=skip,
        )
    }
    for kind, cron in REPORT_CRON.items():
        found[report_schedule_id(kind)] = Schedule(
            action=ScheduleActionStartWorkflow(
                ComplaintReportWorkflow.run,
                kind,
                id=report_schedule_id(kind),
                task_queue=task_queue,
            ),
            spec=ScheduleSpec(cron_expressions=[cron], time_zone_name=ZONE.key),
            policy=skip,
        )
    watchdog = watchdog or WatchdogSettings()
    found[STUCK_CASES] = Schedule(
        action=ScheduleActionStartWorkflow(
            StuckCaseWatchdogWorkflow.run, id=STUCK_CASES, task_queue=task_queue
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=watchdog.every)]),
        policy=skip,
    )
    found[GRADING_CANDIDATE] = Schedule(
        action=ScheduleActionStartWorkflow(
            GradingCandidateWorkflow.run, id=GRADING_CANDIDATE, task_queue=task_queue
        ),
        spec=ScheduleSpec(cron_expressions=[GRADING_CANDIDATE_CRON], time_zone_name=ZONE.key),
        policy=skip,
    )
    return found


@dataclass(frozen=True)
class WatchdogSettings:
    """How often the watchdog looks (`COMPLAINT_WATCHDOG_EVERY`); what counts as stuck is the
    worker's (`worker.watchdog_policy`)."""

    every: timedelta = STUCK_CASES_EVERY

    @classmethod
    def of(cls, settings: Settings) -> WatchdogSettings:
        return cls(every=settings.complaint_watchdog_every)


async def ensure_schedules(
    client: Client, task_queue: str = TASK_QUEUE, watchdog: WatchdogSettings | None = None
) -> list[str]:
    """Create the schedules that are missing; returns the ids it created. A schedule made by an
    older setup whose start carries an input the workflow now refuses (the watchdog's policy)
    gets today's action."""
    created = []
    for schedule_id, schedule in schedules(task_queue, watchdog).items():
        try:
            await client.create_schedule(schedule_id, schedule)
        except ScheduleAlreadyRunningError:
            await _start_as_today(client, schedule_id, schedule)
            continue
        created.append(schedule_id)
    return created


async def _start_as_today(client: Client, schedule_id: str, schedule: Schedule) -> None:
    """An existing schedule whose start carries a different number of inputs than today's
    would start runs that refuse it; its spec, policy and state (paused, note) are kept."""
    wanted = schedule.action
    assert isinstance(wanted, ScheduleActionStartWorkflow)

    def update(found: ScheduleUpdateInput) -> ScheduleUpdate | None:
        action = found.description.schedule.action
        if isinstance(action, ScheduleActionStartWorkflow) and len(action.args) == len(wanted.args):
            return None  # as wanted, or changed by an operator on purpose: left alone
        kept = found.description.schedule
        return ScheduleUpdate(
            schedule=Schedule(action=wanted, spec=kept.spec, policy=kept.policy, state=kept.state)
        )

    await client.get_schedule_handle(schedule_id).update(update)
