"""`POST /v1/complaints`: one case per complaint, however often a backend retries.

The complaint id is the idempotency key (R-IN-2): the same complaint posted again answers with
its case (200) and starts nothing. A backend without ids of its own sends `Idempotency-Key`, and
the id is derived from it and the key's name, so a retry finds the same case with no table to
look it up in. The same id with a different complaint is refused (409, code `id_taken`,
`ComplaintDesk.start`): a second complaint never vanishes into another customer's case.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from pydantic import BaseModel, Field

from api.bodies import request_model, validated
from api.errors import ApiError, FieldProblem
from api.keys import ApiKey
from schemas.intake import ComplaintIntake
from schemas.text import Identifier

IDEMPOTENCY_KEY = "Idempotency-Key"
_KEY_TEXT = re.compile(r"^[\x21-\x7e]{1,255}$")

IntakeRequest = request_model(
    ComplaintIntake,
    # `linked_to` is set by re-opening a case, never by a caller: it would tie a complaint to
    # a case the caller does not know is someone else's.
    leave_out=frozenset({"linked_to"}),
    replace={
        "complaint_id": (
            Identifier | None,
            Field(
                default=None,
                description="Unique complaint id; derived from Idempotency-Key when left out",
            ),
        )
    },
)


class StartedComplaint(BaseModel):
    complaint_id: str
    workflow_id: str
    created: bool = Field(description="false: the complaint already had this case (a repeat)")


# The shape of every derived id: reserved for them, so that no backend can post a complaint
# under the id another backend's Idempotency-Key will derive (its retry would then get 409).
DERIVED_ID = re.compile(r"^C-[0-9A-F]{20}$")


def derived_id(key: ApiKey, idempotency_key: str) -> str:
    """The same backend's same Idempotency-Key is always the same complaint id."""
    digest = hashlib.sha256(f"{key.name}\n{idempotency_key}".encode()).hexdigest()
    return f"C-{digest[:20].upper()}"


def with_complaint_id(
    data: dict[str, Any], key: ApiKey, idempotency_key: str | None
) -> dict[str, Any]:
    if "linked_to" in data:
        raise ApiError(
            422,
            "invalid input, nothing was done: linked_to",
            [
                FieldProblem(
                    field="linked_to",
                    message="set by re-opening a case (POST …/reopen); leave it out",
                )
            ],
        )
    if idempotency_key is not None and not _KEY_TEXT.match(idempotency_key):
        field = f"header:{IDEMPOTENCY_KEY}"
        raise ApiError(
            422,
            f"invalid input, nothing was done: {field}",
            [FieldProblem(field=field, message="1 to 255 visible ASCII characters")],
        )
    derived = derived_id(key, idempotency_key) if idempotency_key is not None else None
    explicit = data.get("complaint_id")
    if explicit is None and derived is not None:
        return {**data, "complaint_id": derived}
    if isinstance(explicit, str) and DERIVED_ID.match(explicit.strip()) and explicit != derived:
        raise ApiError(
            422,
            "invalid input, nothing was done: complaint_id",
            [
                FieldProblem(
                    field="complaint_id",
                    message="C- and 20 hex digits is the shape of ids derived from "
                    f"{IDEMPOTENCY_KEY}: choose another, or send the header instead",
                )
            ],
        )
    return data


def validated_intake(data: dict[str, Any]) -> ComplaintIntake:
    """The intake, or every bad field; a missing id says how to do without one."""
    try:
        return validated(ComplaintIntake, data)
    except ApiError as err:
        for problem in err.problem.fields:
            if problem.field == "complaint_id" and "complaint_id" not in data:
                problem.message += f" (or send an {IDEMPOTENCY_KEY} header)"
        raise
