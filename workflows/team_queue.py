"""Team queues (R-IN-5, seed 000's 推送至对应处理人), pure: a case nobody received is owned by
a team until the first agent takes it, and from then on that agent owns it to the end.

At receipt only the channel is known, so the case waits in the channel's team
(`policies/routing.json`); once classified, a case still untaken moves to the team its category
and severity name. Its deadlines are its own, team or not: an untaken case warns the team, breaches
and escalates like any other.
"""

from __future__ import annotations

from datetime import datetime

from schemas.actions import TakeCase
from schemas.case import EntryKind
from schemas.refusals import RefusalCode
from schemas.routing import RoutingPolicy
from workflows.actors import check_new_owner
from workflows.case_record import SYSTEM, CaseRecord, refuse

UNROUTED = "unrouted"
"""The owner of a case nobody received, for the moment before its routing rules are read."""


def adopt_routing(case: CaseRecord, routing: RoutingPolicy, now: datetime) -> None:
    """The routing rules, read once at receipt (an activity, like the SLA policy)."""
    s = case.state
    s.routing = routing
    if s.team_owned:  # an agent may have taken it before the rules arrived
        _route(case, *routing.team_for(s.intake.channel), now)


def reroute(case: CaseRecord, now: datetime) -> None:
    """After classification: the category's team, while nobody has taken the case."""
    s = case.state
    if not s.team_owned or s.routing is None:
        return
    category = s.classification.category if s.classification else None
    team, why = s.routing.team_for(s.intake.channel, category, s.severity)
    if team != s.owner:
        _route(case, team, why, now)


def _route(case: CaseRecord, team: str, why: str, now: datetime) -> None:
    before, case.state.owner = case.state.owner, team
    moved = "" if before == UNROUTED else f" from {before}"
    case.record(
        EntryKind.ROUTED,
        SYSTEM,
        f"in {team}'s queue{moved}: {why}",
        now,
        facts={"team": team}
        if before == UNROUTED
        else {"variant": "moved", "from_team": before, "team": team},
    )


def check_take(case: CaseRecord, take: TakeCase, now: datetime) -> None:
    case.require_open()
    s = case.state
    if not s.team_owned:
        refuse(RefusalCode.NOT_TEAM_OWNED, owner=s.owner)
    check_new_owner(case, take.by)  # who takes it owns it: a person, never a backend


def take(case: CaseRecord, take: TakeCase, now: datetime) -> None:
    check_take(case, take, now)
    s = case.state
    team, s.owner, s.team_owned = s.owner, take.by, False
    case.record(
        EntryKind.TAKEN,
        take.by,
        f"taken by {take.by} from {team}: owns it to the end",
        now,
        facts={"by": take.by, "team": team},
    )
