"""Reading a request body: a JSON object, under the size limit, checked by the payload's model.

The limit is counted while the body arrives, so a chunked upload without Content-Length stops at
the limit too, and nothing past it is kept. The actor field of an action is never taken from the
body (see `with_actor`).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections.abc import Mapping
from email.message import Message
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError, create_model

from api.errors import ApiError, FieldProblem, invalid, invalid_field

M = TypeVar("M", bound=BaseModel)
DEFAULT_LIMIT = 256 * 1024  # a complaint at every field's limit is well under 100 KB
# A whole body's arrival: a backend sends ~1 KB at once; a trickle would hold a connection open.
DEFAULT_BODY_SECONDS = 15.0

# curl's `-d @file` says form-urlencoded; a backend that sends JSON that way means JSON.
_READ_AS_JSON = {"application/json", "application/x-www-form-urlencoded"}


def _json_type(content_type: str | None) -> bool:
    if not content_type:
        return True
    message = Message()
    message["content-type"] = content_type
    kind = message.get_content_type()
    return kind in _READ_AS_JSON or (kind.startswith("application/") and kind.endswith("+json"))


async def read_object(
    request: Request, limit: int, seconds: float = DEFAULT_BODY_SECONDS
) -> dict[str, Any]:
    """The body as a JSON object, or the refusal: 415 not JSON, 413 too large, 400 malformed,
    408 (and the connection closed) when it has not all arrived within `seconds`."""
    if not _json_type(request.headers.get("content-type")):
        raise ApiError(415, "send the body as JSON (Content-Type: application/json)")
    too_large = ApiError(413, f"the body is over the limit of {limit} bytes; nothing was done")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise too_large
                chunks.append(chunk)
    except TimeoutError:
        raise ApiError(
            408,
            f"the body did not arrive within {seconds:g} seconds; nothing was done",
            headers={"Connection": "close"},
        ) from None
    return parse_object(b"".join(chunks))


def parse_object(raw: bytes) -> dict[str, Any]:
    """Strict JSON: UTF-8 only, every key once, nesting and numbers bounded; a JSON object."""
    try:
        if b"\x00" in raw:  # UTF-16/32 text; JSON itself never holds a raw NUL
            raise UnicodeDecodeError("utf-8", raw, raw.index(b"\x00"), len(raw), "NUL")
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "the body is not UTF-8 text") from None
    too_deep = _too_deep(text)
    if too_deep is not None:
        raise invalid_field(too_deep, f"nested deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(
            text,
            object_pairs_hook=_once_each,
            parse_int=_number(MAX_INT_DIGITS, int),
            parse_float=_number(MAX_FLOAT_CHARS, float),
            parse_constant=lambda _: _OUT_OF_BOUNDS,  # NaN, Infinity: not JSON's numbers
        )
    except _RepeatedKey as err:
        raise invalid_field(err.field, "appears more than once in its object") from None
    except json.JSONDecodeError as err:  # its message names the place, not the text
        where = f"line {err.lineno} column {err.colno}"
        raise ApiError(400, f"malformed JSON: {err.msg} at {where}") from None
    if not isinstance(data, dict):
        raise invalid_field("(body)", "must be a JSON object")
    out_of_bounds = _first_out_of_bounds(data, ())
    if out_of_bounds is not None:
        raise invalid_field(
            out_of_bounds,
            f"numbers have at most {MAX_INT_DIGITS} digits (or {MAX_FLOAT_CHARS} characters "
            "with a fraction or exponent), and are finite",
        )
    return data


# A complaint is three or four levels deep and its numbers are small: anything far beyond is an
# attack on the parser (a 50,000-deep array exhausts its recursion; a 5,000-digit integer
# exceeds Python's conversion limit), refused before it can fail the request.
MAX_DEPTH = 32
MAX_INT_DIGITS = 20
MAX_FLOAT_CHARS = 40
# A string (a key when a colon follows), or a bracket.
# (An unterminated string runs to the end: the scan stays linear, and json says what is wrong.)
_TOKENS = re.compile(r'("(?:[^"\\]|\\.)*(?:"|\\?\Z))(\s*:)?|[\[\]{}]', re.DOTALL)
_FIELD_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")


class _OutOfBounds:
    """Stands in for a number that was too large to keep, until its field is named."""


_OUT_OF_BOUNDS = _OutOfBounds()


class _RepeatedKey(ValueError):
    def __init__(self, field: str) -> None:
        self.field = field


def _named(key: str) -> str:
    """A key as a refusal may name it: a field's name, never other text the caller sent."""
    return key if _FIELD_NAME.match(key) else "(a key)"


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _RepeatedKey(_named(key))
        data[key] = value
    return data


def _number(max_chars: int, kind: type[int] | type[float]) -> Any:
    def parse(literal: str) -> int | float | _OutOfBounds:
        if len(literal.lstrip("-")) > max_chars:
            return _OUT_OF_BOUNDS
        number = kind(literal)
        return number if math.isfinite(number) else _OUT_OF_BOUNDS

    return parse


def _too_deep(text: str) -> str | None:
    """The field (its object keys) where the nesting passes `MAX_DEPTH`, found without
    recursion; None when it never does."""
    path: list[str | None] = []
    key: str | None = None
    for token in _TOKENS.finditer(text):
        if token.group(1) is not None:
            if token.group(2):
                key = token.group(1)[1:-1]
            continue
        bracket = token.group(0)
        if bracket in "[{":
            path.append(key)
            key = None
            if len(path) > MAX_DEPTH:
                return ".".join(_named(k) for k in path if k is not None) or "(body)"
        elif path:
            path.pop()
    return None


def _first_out_of_bounds(value: Any, at: tuple[str | int, ...]) -> str | None:
    if value is _OUT_OF_BOUNDS:
        return ".".join(_named(p) if isinstance(p, str) else str(p) for p in at) or "(body)"
    children = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for name, child in children:
        found = _first_out_of_bounds(child, (*at, name))
        if found is not None:
            return found
    return None


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
