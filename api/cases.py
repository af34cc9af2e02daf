"""Saying in HTTP what the desk answered.

An unknown case is 404; a refusal (an ended case, an id taken, a rule of the case's) 409 with
its `code` and `params`; Temporal out of reach 503.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pydantic import TypeAdapter, ValidationError

from api.errors import ApiError, FieldProblem, refused
from desk.errors import CaseNotFound, NotReady, Refused, Unreachable
from schemas.text import Identifier

_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)


def complaint_path(complaint_id: str) -> str:
    """The path's complaint id, refused (422) unless it is an id a case could have."""
    try:
        return _IDENTIFIER.validate_python(complaint_id)
    except ValidationError:
        message = "not a complaint id (letters, digits, _ . : @ -, at most 64)"
        raise ApiError(
            422,
            "invalid input, nothing was done: complaint_id",
            [FieldProblem(field="complaint_id", message=message)],
        ) from None


@asynccontextmanager
async def on_case() -> AsyncIterator[None]:
    """The desk's answers (`desk.errors`) said in HTTP."""
    try:
        yield
    except CaseNotFound as err:
        raise ApiError(404, str(err)) from None
    except Refused as err:
        raise refused(err.refusal) from None
    except (Unreachable, NotReady):
        raise ApiError(
            503, "the case service is not reachable now; retry", headers={"Retry-After": "1"}
        ) from None
