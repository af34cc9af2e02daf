"""Reading a request body: a JSON object, under the size limit, checked by the payload's model.

The limit is counted while the body arrives, so a chunked upload without Content-Length stops at
the limit too, and nothing past it is kept. The actor field of an action is never taken from the
body (see `with_actor`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from email.message import Message
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError, create_model

from api.errors import ApiError, FieldProblem, invalid

M = TypeVar("M", bound=BaseModel)
DEFAULT_LIMIT = 256 * 1024  # a complaint at every field's limit is well under 100 KB

# curl's `-d @file` says form-urlencoded; a backend that sends JSON that way means JSON.
_READ_AS_JSON = {"application/json", "application/x-www-form-urlencoded"}


def _json_type(content_type: str | None) -> bool:
    if not content_type:
        return True
    message = Message()
    message["content-type"] = content_type
    kind = message.get_content_type()
    return kind in _READ_AS_JSON or (kind.startswith("application/") and kind.endswith("+json"))


async def read_object(request: Request, limit: int) -> dict[str, Any]:
    """The body as a JSON object, or the refusal: 415 not JSON, 413 too large, 400 malformed."""
    if not _json_type(request.headers.get("content-type")):
        raise ApiError(415, "send the body as JSON (Content-Type: application/json)")
    too_large = ApiError(413, f"the body is over the limit of {limit} bytes; nothing was done")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks))
    except UnicodeDecodeError:
        raise ApiError(400, "the body is not UTF-8 text") from None
    except json.JSONDecodeError as err:  # its message names the place, not the text
        where = f"line {err.lineno} column {err.colno}"
        raise ApiError(400, f"malformed JSON: {err.msg} at {where}") from None
    if not isinstance(data, dict):
        raise ApiError(
            422,
            "invalid input, nothing was done: (body) must be a JSON object",
            [FieldProblem(field="(body)", message="must be a JSON object")],
        )
    return data


def validated(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise invalid(err) from None


def with_actor(data: dict[str, Any], field: str | None, actor: str) -> dict[str, Any]:
    """Fill the action's actor from the caller's identity. A body that names one is refused
    rather than silently overridden: the caller learns its field was not what counted."""
    if field is None:
        return data
    if field in data:
        raise ApiError(
            422,
            f"invalid input, nothing was done: {field}",
            [
                FieldProblem(
                    field=field, message="set from the API key (and X-Acting-For); leave it out"
                )
            ],
        )
    return {**data, field: actor}


def request_model(
    payload: type[BaseModel], leave_out: frozenset[str], replace: Mapping[str, Any] | None = None
) -> type[BaseModel]:
    """The payload as a caller sends it (the fields the API fills left out, some replaced): for
    the OpenAPI document; validation itself always uses the payload's own model."""
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in payload.model_fields.items()
        if name not in leave_out
    }
    fields.update(replace or {})
    model: type[BaseModel] = create_model(
        f"{payload.__name__}Body", __base__=payload.__base__, __doc__=payload.__doc__, **fields
    )
    return model
