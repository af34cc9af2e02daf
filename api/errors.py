"""How the API says no: one JSON shape for every refusal, and never what the caller sent.

Bodies carry names, phones and the customer's own words; an error message that echoed them would
put personal data in the backend's logs. A refusal names the field and the rule, nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from schemas.refusals import Refusal


class FieldProblem(BaseModel):
    field: str  # dotted path: customer.contact.phone, evidence.3.ref; a header is "header:Name"
    message: str


class Problem(BaseModel):
    error: str
    fields: list[FieldProblem] = []
    # A refusal of the case's: its code and parameters (`schemas.refusals`), `error` its English.
    code: str | None = None
    params: dict[str, str | int] | None = None


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        error: str,
        fields: Sequence[FieldProblem] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.status = status
        self.problem = Problem(error=error, fields=list(fields))
        self.headers = dict(headers or {})


def refused(refusal: Refusal) -> ApiError:
    """409: the case's refusal, in English and as its code and parameters for the caller's own
    words (the message catalogue's `refusal.<code>`)."""
    err = ApiError(409, refusal.english())
    err.problem.code = refusal.code.value
    err.problem.params = dict(refusal.params)
    return err


def field_problems(err: ValidationError, prefix: tuple[str | int, ...] = ()) -> list[FieldProblem]:
    """Each bad field with pydantic's rule message; the `input` and `ctx` parts (which can hold
    the value sent) are left out."""
    return [
        FieldProblem(
            field=".".join(str(p) for p in (*prefix, *e["loc"])) or "(body)",
            message=e["msg"],
        )
        for e in err.errors(include_url=False, include_input=False, include_context=False)
    ]


def invalid(err: ValidationError, prefix: tuple[str | int, ...] = ()) -> ApiError:
    problems = field_problems(err, prefix)
    names = ", ".join(dict.fromkeys(p.field for p in problems))
    return ApiError(422, f"invalid input, nothing was done: {names}", problems)


def invalid_field(field: str, message: str) -> ApiError:
    """One field refused by a check of ours (not pydantic's): 422, named, nothing done."""
    return ApiError(
        422,
        f"invalid input, nothing was done: {field}",
        [FieldProblem(field=field, message=message)],
    )


async def api_error_response(_: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, ApiError)
    body = err.problem.model_dump(exclude_none=True)
    return JSONResponse(body, status_code=err.status, headers=err.headers)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: the refusals a route can answer with, each a `Problem`."""
    what = {
        400: "not JSON, or malformed JSON",
        401: "no API key, or an unknown one",
        403: "the key lacks the scope",
        404: "no such case",
        408: "the body did not arrive in time; the connection is closed",
        409: "the case refuses the action now (`code` and `params` say why, `error` in English)",
        413: "the body is over the size limit",
        415: "the body is not JSON",
        422: "a field is missing or invalid (each one named)",
        429: "the key's rate limit; see Retry-After",
    }
    return {s: {"model": Problem, "description": what[s]} for s in statuses}
