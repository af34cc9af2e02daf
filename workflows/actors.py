"""Who may be named as acting on a case, and who may own one (red-team findings 1-5), pure.

The rules enforce this whatever the door (the plain `temporal` CLI reaches them as directly as
the desk's API): the timeline's own names for the customer and the system, and a team's queue,
are never a person acting, and a new owner is a person the desk can write to.
"""

from __future__ import annotations

import re

from schemas.refusals import RefusalCode
from workflows.case_record import CUSTOMER, SYSTEM, CaseRecord, refuse

TEAM_PREFIX = "team-"
# A backend acting through the HTTP API is named `api:<key>`: an actor, never an owner.
BACKEND_PREFIX = "api:"
# What a staff address (`{recipient}@…`) cannot carry safely: another host, another header part.
_UNADDRESSABLE = re.compile(r"[:@\s]")


def person(name: str) -> str:
    """A person's id as the rules compare it: `Agent-Zhang` is `agent-zhang`."""
    return name.strip().casefold()


def same_person(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and person(a) == person(b)


def reserved_actor(name: str) -> bool:
    """The timeline's names for someone other than a member of staff: the customer, the
    system, a team's queue."""
    folded = person(name)
    return folded in (CUSTOMER, SYSTEM) or folded.startswith(TEAM_PREFIX)


def check_actor(name: str) -> None:
    """Refuse an action that names the customer, the system or a team as who did it."""
    if reserved_actor(name):
        refuse(RefusalCode.RESERVED_ACTOR, actor=name)


def check_new_owner(case: CaseRecord, name: str) -> None:
    """A case's new owner is a person of the desk: not a reserved name, not a backend, an id
    an address can carry, and on the policy's roster where it has one."""
    check_actor(name)
    if person(name).startswith(BACKEND_PREFIX) or _UNADDRESSABLE.search(name.strip()):
        refuse(RefusalCode.OWNER_NOT_A_PERSON, agent=name)
    if not on_roster(case, name):
        refuse(RefusalCode.UNKNOWN_AGENT, agent=name)


def on_roster(case: CaseRecord, name: str) -> bool:
    roster = case.state.policy.agents if case.state.policy else None
    return roster is None or person(name) in {person(agent) for agent in roster}
