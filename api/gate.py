"""Who is calling, and may they: the API key (401), its scope (403), its rate (429), and the name
that goes on the timeline."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Iterable

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import TypeAdapter, ValidationError

from api.errors import ApiError, invalid_field
from api.keys import ApiKey, ApiKeys, Scope
from api.rate_limit import RateLimits
from schemas.text import Identifier
from workflows.case_record import CUSTOMER, SYSTEM

bearer = HTTPBearer(auto_error=False, description="an API key: Authorization: Bearer cdk_…")
KEY = Security(bearer)  # every route's credentials (and OpenAPI's security scheme)
ACTING_FOR = "X-Acting-For"
# Every staff id the desk knows now (the accounts file, read again each time it is asked).
StaffIds = Callable[[], Collection[str]]
_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)


class Gate:
    def __init__(self, keys: ApiKeys, staff: StaffIds) -> None:
        self.keys = keys
        self.staff = staff
        self.limits = RateLimits()

    def admit(
        self,
        request: Request,
        credentials: HTTPAuthorizationCredentials | None,
        scopes: Iterable[Scope],
    ) -> ApiKey:
        """The caller's key, if it may use a route that needs any of `scopes`, within its rate."""
        key = self.keys.identify(credentials.credentials) if credentials else None
        if key is None:
            raise ApiError(
                401,
                "an API key is needed: Authorization: Bearer <key>",
                headers={"WWW-Authenticate": 'Bearer realm="complaint-desk"'},
            )
        request.state.key = key.name
        needed = frozenset(scopes)
        if not key.scopes & needed:
            raise ApiError(
                403,
                f"key {key.name} lacks the scope for this: one of "
                f"{', '.join(sorted(needed))} is needed",
            )
        wait = self.limits.take(key.name, key.rate_per_second, key.burst, time.monotonic())
        if wait is not None:
            raise ApiError(
                429,
                f"key {key.name} is over its rate of {key.rate_per_second:g}/s",
                headers={"Retry-After": str(math.ceil(wait))},
            )
        return key


def reserved_actor(name: str) -> bool:
    """Names the timeline gives to someone other than a member of staff: the customer, the
    system, a backend (`api:<name>`), a team's queue (`team-…`). No account may act as one."""
    folded = name.casefold()
    return folded in (CUSTOMER, SYSTEM) or folded.startswith(("api:", "team-"))


def staff_actor(key: ApiKey, acting_for: str | None, staff: Collection[str]) -> str:
    """Who acted, for the timeline: `api:<key name>`; or, for a key that acts for the people its
    backend signed in, the member of staff named in X-Acting-For, as the accounts spell their
    id (so the case's rules about who proposed and who approved compare people, not spellings
    or backends). `staff`: every staff id the desk knows."""
    if not key.acts_for:
        if acting_for is not None:
            raise ApiError(403, f"key {key.name} does not act for people: leave {ACTING_FOR} out")
        return key.actor
    field = f"header:{ACTING_FOR}"
    try:
        named = _IDENTIFIER.validate_python(acting_for)
    except ValidationError:
        message = "the person acting is needed: an id (letters, digits, _ . : @ -, at most 64)"
        raise invalid_field(field, message) from None
    if reserved_actor(named):
        raise invalid_field(
            field,
            "must name a member of staff, not the customer, the "
            "system, a backend (api:…) or a team (team-…)",
        )
    known = {person.casefold(): person for person in staff if not reserved_actor(person)}
    person = known.get(named.casefold())
    if person is None:
        raise invalid_field(field, "names nobody in the desk's staff accounts")
    return person
