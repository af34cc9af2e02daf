"""`complaint-desk repair ID`: bring a stuck case back (the watchdog's alert says which).

A stuck case's run is open but each workflow task fails (a bug, a history the code no longer
replays, a message it cannot read). Once the cause is fixed and deployed, repair resets the run
to its last good workflow task — the last `WorkflowTaskCompleted` before the first failure —
as `temporal workflow reset --event-id N` would: Temporal ends the stuck run (status
"Terminated", reason "reset") and continues the case in a new run from that point, re-applying
the signals (customers' messages) and updates received after it, so nothing a sender sent is
lost. Its deadline timers are re-created from the history, so one that fell due meanwhile fires
at once and is recorded.

    complaint-desk repair C-1 --by ops-li --reason "fix 1.4.2 deployed" [--dry-run]
    complaint-desk repair C-1 --by ops-li --reason "…" --event-id 42     # an earlier good task
    complaint-desk repair C-1 --by ops-li --reason "…" --drop-signals    # a poisoned message
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

# `complaint-desk --help` builds this module's parser: Temporal is imported where it is used.
if TYPE_CHECKING:
    from temporalio.client import Client

    from schemas.stuck_cases import StuckCase


class NotRepairable(Exception):
    """The case is not stuck, or has no good workflow task to go back to: nothing was changed."""


@dataclass(frozen=True)
class Repair:
    case: StuckCase
    reset_to: int
    new_run_id: str | None  # None: a dry run


def add_parser(sub: Any) -> None:
    s = sub.add_parser("repair", help="reset a stuck case to its last good workflow task")
    s.add_argument("complaint_id")
    s.add_argument("--by", required=True, help="who repairs (kept in Temporal's reset reason)")
    s.add_argument("--reason", required=True, help="why (no personal data: stored in clear)")
    s.add_argument("--event-id", type=int, help="reset to this WorkflowTaskCompleted instead")
    s.add_argument(
        "--drop-signals",
        action="store_true",
        help="do not re-apply the signals received after that point",
    )
    s.add_argument("--dry-run", action="store_true", help="say what it would do, change nothing")


async def repair(
    client: Client,
    complaint_id: str,
    *,
    by: str,
    reason: str,
    event_id: int | None = None,
    drop_signals: bool = False,
    dry_run: bool = False,
) -> Repair:
    from temporalio.api.common.v1 import WorkflowExecution
    from temporalio.api.enums.v1 import ResetReapplyExcludeType
    from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest

    from activities.stuck_cases import diagnose
    from desk.reading import workflow_id

    case = await diagnose(client, workflow_id(complaint_id))
    if case is None:
        raise NotRepairable(
            f"{complaint_id} is not stuck (its workflow tasks complete): nothing to repair"
        )
    reset_to = event_id or case.reset_to
    if reset_to is None:
        raise NotRepairable(
            f"{complaint_id} never completed a workflow task: there is no good point to go back "
            "to; fix the cause, and the next attempt of its first task carries on by itself"
        )
    if dry_run:
        return Repair(case, reset_to, None)
    request = ResetWorkflowExecutionRequest(
        namespace=client.namespace,
        workflow_execution=WorkflowExecution(workflow_id=case.workflow_id, run_id=case.run_id),
        reason=f"complaint-desk repair by {by}: {reason}",
        workflow_task_finish_event_id=reset_to,
        # The same repair sent twice (a retry, two operators) resets once.
        request_id=f"repair/{case.run_id}/{reset_to}",
        reset_reapply_exclude_types=(
            [ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL] if drop_signals else []
        ),
        identity=f"complaint-desk repair ({by})",
    )
    response = await client.workflow_service.reset_workflow_execution(request)
    return Repair(case, reset_to, response.run_id)


def stuck_line(case: StuckCase, now: datetime | None = None) -> str:
    """The line `show` and `list` print for a stuck case."""
    from activities.stuck_cases import stuck_since

    for_how_long = stuck_since(case, now or datetime.now(UTC))
    return (
        f"STUCK for {for_how_long}: workflow task failing since "
        f"{case.since.isoformat(timespec='seconds')} (attempt {case.attempts}, {case.cause}); "
        f"fix the cause, then `complaint-desk repair {case.complaint_id} --by … --reason …`"
    )


async def run(args: argparse.Namespace, client: Client) -> int:
    try:
        done = await repair(
            client,
            args.complaint_id,
            by=args.by,
            reason=args.reason,
            event_id=args.event_id,
            drop_signals=args.drop_signals,
            dry_run=args.dry_run,
        )
    except NotRepairable as err:
        print(f"not repaired: {err}")
        return 6
    signals = "dropped" if args.drop_signals else "re-applied"
    print(stuck_line(done.case))
    if done.new_run_id is None:
        print(
            f"{args.complaint_id}: would reset run {done.case.run_id} to event {done.reset_to}"
            f" (signals after it {signals}); nothing changed"
        )
    else:
        print(
            f"{args.complaint_id}: reset to event {done.reset_to} (signals after it {signals});"
            f" the case continues in run {done.new_run_id}"
        )
    return 0
