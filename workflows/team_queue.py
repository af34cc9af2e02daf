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
from schemas.routing import RoutingPolicy
from workflows.case_record import SYSTEM, TEAM_ROUTING, CaseRecord, InvalidAction

UNROUTED = "unrouted"
"""The owner of a case nobody received, for the moment before its routing rules are read."""


class TeamQueue(CaseRecord):
    def adopt_routing(self, routing: RoutingPolicy, now: datetime) -> None:
        """The routing rules, read once at receipt (an activity, like the SLA policy)."""
        s = self.state
        s.routing = routing
        if s.team_owned:  # an agent may have taken it before the rules arrived
            self._route(*routing.team_for(s.intake.channel), now)

    def _reroute(self, now: datetime) -> None:
        """After classification: the category's team, while nobody has taken the case."""
        s = self.state
        if TEAM_ROUTING not in self.features or not s.team_owned or s.routing is None:
            return
        category = s.classification.category if s.classification else None
        team, why = s.routing.team_for(s.intake.channel, category, s.severity)
        if team != s.owner:
            self._route(team, why, now)

    def _route(self, team: str, why: str, now: datetime) -> None:
        before, self.state.owner = self.state.owner, team
        moved = "" if before == UNROUTED else f" from {before}"
        self._record(EntryKind.ROUTED, SYSTEM, f"in {team}'s queue{moved}: {why}", now)

    def check_take(self, take: TakeCase, now: datetime) -> None:
        self._require_open()
        s = self.state
        if not s.team_owned:
            raise InvalidAction(
                f"only a case owned by a team can be taken; {s.owner} already owns it"
            )

    def take(self, take: TakeCase, now: datetime) -> None:
        self.check_take(take, now)
        s = self.state
        team, s.owner, s.team_owned = s.owner, take.by, False
        self._record(
            EntryKind.TAKEN, take.by, f"taken by {take.by} from {team}: owns it to the end", now
        )
