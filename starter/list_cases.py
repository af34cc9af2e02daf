"""`complaint-desk list …`: find cases by the search attributes operators filter on (R-OP-3).

complaint-desk list --severity L1 --breached              # open L1 cases that missed a deadline
complaint-desk list --owner agent-zhang --json            # one agent's open cases, for scripts
complaint-desk list --query 'ComplaintProduct = "WM-200"' --all
complaint-desk policy-apply --file policies/sla-seed-004.json --by ops-li --reason "new SLA" --dry-run
complaint-desk policy-apply --file policies/sla-seed-004.json --by ops-li --reason "new SLA"
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starter.choices import enum_choices

if TYPE_CHECKING:
    from temporalio.client import Client, WorkflowExecution
    from temporalio.common import SearchAttributeKey

    from schemas.sla import SlaPolicy


def filters() -> dict[str, SearchAttributeKey[Any]]:
    """Flag → the attribute it filters (imported here: `--help` needs no Temporal)."""
    from workflows import search_attributes as sa

    return {
        "stage": sa.STAGE,
        "severity": sa.SEVERITY,
        "risk": sa.RISK,
        "category": sa.CATEGORY,
        "owner": sa.OWNER,
        "product": sa.PRODUCT,
        "customer": sa.CUSTOMER,
        "escalation": sa.ESCALATION,
    }


def columns() -> list[SearchAttributeKey[Any]]:
    """The attributes a listed row shows, in order."""
    from workflows import search_attributes as sa

    return [sa.STAGE, sa.SEVERITY, sa.RISK, sa.OWNER, sa.ESCALATION, sa.BREACHED, sa.NEXT_DEADLINE]


def add_parser(sub: Any) -> None:
    s = sub.add_parser("list", help="find cases by stage, severity, owner, … (search attributes)")
    _filters(s)
    s.add_argument("--limit", type=int, default=100)
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("policy-apply", help="move open cases (filters as `list`) to a new policy")
    _filters(s)
    s.add_argument("--file", type=Path, required=True, help="an SLA policy JSON file")
    s.add_argument("--by", required=True)
    s.add_argument("--reason", required=True)
    s.add_argument("--limit", type=int, default=100_000)
    s.add_argument(
        "--dry-run",
        action="store_true",
        help="show each case's changes (deadlines, warnings, escalations, settings); change nothing",
    )


def _filters(s: argparse.ArgumentParser) -> None:
    s.add_argument("--stage", **enum_choices("schemas", "Stage"))
    s.add_argument("--severity", **enum_choices("schemas", "Severity"))
    s.add_argument("--risk", **enum_choices("schemas", "RiskLevel"))
    for name in ("category", "owner", "product", "customer", "escalation"):
        s.add_argument(f"--{name}")
    s.add_argument("--breached", action="store_true", help="only cases that missed a deadline")
    s.add_argument(
        "--stuck",
        action="store_true",
        help="only cases whose workflow task keeps failing (repair them)",
    )
    s.add_argument("--query", help="more of Temporal's list filter, ANDed with the flags")
    s.add_argument("--all", action="store_true", help="ended cases too (default: open ones)")


def case_query(args: argparse.Namespace) -> str:
    """The list filter the flags mean; every flag narrows it."""
    from schemas.stuck_cases import REPORTED_PROBLEMS
    from workflows import search_attributes as sa

    parts = ['WorkflowType = "Complaint"']
    if not args.all:
        parts.append('ExecutionStatus = "Running"')
    for flag, key in filters().items():
        value = getattr(args, flag)
        if value:
            parts.append(f"{key.name} = {json.dumps(value, ensure_ascii=False)}")
    if args.breached:
        parts.append(f"{sa.BREACHED.name} = true")
    if getattr(args, "stuck", False):
        parts.append(REPORTED_PROBLEMS)
    if args.query:
        parts.append(f"({args.query})")
    return " AND ".join(parts)


async def run(args: argparse.Namespace, client: Client) -> int:
    rows = await found(client, case_query(args), args.limit)
    print(render(rows if args.all else still_open(rows), as_json=args.json))
    return 0


def still_open(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Leave out cases whose stage is done though their run is still open (sending the last
    messages held for quiet hours): ended, as `show` and the API say. Filtered here rather than
    in the query, where `ComplaintStage != "done"` would also hide a case stuck before its stage
    was ever set (a missing value fails `!=` in SQL visibility). The done ones count towards
    `--limit`."""
    return [r for r in rows if r.get("stage") != "done"]


async def found(client: Client, query: str, limit: int) -> list[dict[str, Any]]:
    """One row per case the query lists: its id and the columns operators read."""
    return [_row(execution) async for execution in client.list_workflows(query, limit=limit)]


def render(rows: list[dict[str, Any]], as_json: bool = False) -> str:
    if as_json:
        return json.dumps(rows, ensure_ascii=False, indent=2, default=str)
    if not rows:
        return "no cases match"
    names = ["case", *(k.name.removeprefix("Complaint").lower() for k in columns())]
    stuck = [r["case"] for r in rows if r.get("stuck")]
    footer = (
        [
            f"STUCK (workflow task failing; see `complaint-desk show ID`, then `repair`): "
            f"{', '.join(stuck)}"
        ]
        if stuck
        else []
    )
    table = [names, *([str(r[n] if r[n] is not None else "-") for n in names] for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(names))]
    return "\n".join(
        [
            "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
            for line in table
        ]
        + footer
    )


def read_policy(path: Path) -> SlaPolicy:
    """The policy file named by `--file`, validated before any case is touched."""
    from schemas.sla import SlaPolicy
    from starter.input_file import read_text

    return SlaPolicy.model_validate_json(read_text(path))


async def apply_policy(args: argparse.Namespace, client: Client, policy: SlaPolicy) -> int:
    """Every matching open case recomputes its pending deadlines under the policy; a case
    already on it, or ended meanwhile, is counted and skipped."""
    from desk.errors import CaseNotFound, Refused
    from desk.service import ComplaintDesk

    desk = ComplaintDesk(client)
    change = {"by": args.by, "reason": args.reason, "policy": policy}
    if args.dry_run:
        from reports import policy_preview
        from schemas.policy_preview import PolicyPreview

        rows = still_open(await found(client, case_query(args), args.limit))
        previews = await desk.preview_each([r["case"] for r in rows], "policy", change)
        shown = [p for p in previews if isinstance(p, PolicyPreview)]
        print(policy_preview.text(shown, args.lang), end="")
        return 0
    changed = skipped = 0
    async for execution in client.list_workflows(case_query(args), limit=args.limit):
        complaint_id = execution.id.removeprefix("complaint-")
        try:
            await desk.act(complaint_id, "policy", change)
            changed += 1
        except (Refused, CaseNotFound) as err:  # already on this policy, or ended meanwhile
            skipped += 1
            print(f"{complaint_id}: skipped ({err})")
    print(f"policy {policy.version}: {changed} cases moved, {skipped} skipped")
    return 0


def _row(execution: WorkflowExecution) -> dict[str, Any]:
    attributes = execution.typed_search_attributes
    row: dict[str, Any] = {"case": execution.id.removeprefix("complaint-")}
    for key in columns():
        value = attributes.get(key)
        if isinstance(value, datetime):
            value = value.isoformat(timespec="minutes")
        row[key.name.removeprefix("Complaint").lower()] = value
    problems = execution.search_attributes.get("TemporalReportedProblems") or []
    row["stuck"] = any(str(p).startswith("category=WorkflowTask") for p in problems)
    return row
