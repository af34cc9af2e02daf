"""The case page's forms, generated from the action table: one form per action a role may take.

Fields come from the payload model's JSON schema; the actor field is never a field, it is filled
from the session when the form comes back. What the form sends is validated by the same pydantic
model the client and the workflow use, so a bad value is refused here and nothing is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from reports.periods import ZONE
from schemas.case_actions import ACTIONS, CaseAction, Delivery, Role


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, textarea, number, integer, checkbox, select, datetime, json
    required: bool
    options: tuple[str, ...] = ()
    default: Any = None
    maxlength: int | None = None
    minimum: float | None = None
    # A select's (value, label) in the reader's words; for a field that is not an enum, the
    # values the case offers (people and teams, its open tasks): shown as a select.
    choices: tuple[tuple[str, str], ...] = ()


def staff_actions(roles: frozenset[Role]) -> list[CaseAction]:
    """The updates these roles may ask for, in the table's order."""
    return [a for a in ACTIONS if a.delivery is Delivery.UPDATE and a.roles & roles]


def fields(action: CaseAction) -> list[Field]:
    schema = action.payload.model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema["properties"].items():
        if name == action.actor:
            continue
        field = _field(name, prop, defs, name in required)
        if field is not None:
            out.append(field)
    return out


def _field(name: str, prop: dict[str, Any], defs: dict[str, Any], required: bool) -> Field | None:
    default = prop.get("default")
    branches = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
    if not branches:
        return None
    spec = branches[0]
    if "$ref" in spec:
        spec = defs[spec["$ref"].rsplit("/", 1)[-1]]
    kind = spec.get("type")
    if "enum" in spec:
        return Field(name, "select", required, tuple(spec["enum"]), default)
    if kind == "object":
        return Field(name, "json", required)
    if kind == "array":
        return None  # evidence lists: attached through the API, not typed into a page
    if kind == "boolean":
        return Field(name, "checkbox", False, default=default)
    if kind == "integer":
        return Field(name, "integer", required, default=default, minimum=spec.get("minimum"))
    if kind == "number":
        return Field(name, "number", required, default=default, minimum=spec.get("minimum"))
    if spec.get("format") == "date-time":
        return Field(name, "datetime", required)
    maxlength = spec.get("maxLength")
    long_text = maxlength is not None and maxlength > 200
    return Field(name, "textarea" if long_text else "text", required, maxlength=maxlength)


def payload(action: CaseAction, form: Mapping[str, Any], actor: str) -> BaseModel:
    """The action's payload from a submitted form, the actor from the session (ValidationError
    names every bad field)."""
    data: dict[str, Any] = {}
    for field in fields(action):
        raw = form.get(field.name)
        if field.kind == "checkbox":
            data[field.name] = raw is not None
            continue
        if not isinstance(raw, str) or raw.strip() == "":
            continue
        data[field.name] = _value(field, raw.strip())
    if action.actor:
        data[action.actor] = actor
    return action.payload.model_validate(data)


def _value(field: Field, raw: str) -> Any:
    """Typed as the schema says; a value that does not parse is passed on for pydantic to name.
    A datetime-local field has no zone: it is read in the desk's business zone."""
    if field.kind == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw  # pydantic names the field and says why
    if field.kind == "datetime":
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return raw
        return (moment if moment.tzinfo else moment.replace(tzinfo=ZONE)).isoformat()
    if field.kind == "json":
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw
