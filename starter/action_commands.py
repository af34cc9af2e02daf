"""The CLI's case-action subcommands, made from the action table (`schemas.case_actions`): one
subcommand per action under its public name, its flags the payload model's fields.

`complaint-desk --help` must not import the models (docs/benchmarks.md, "CLI latency"), so the
top-level listing reads `INDEX` (each action's name and summary, kept in step with the table by
tests/test_case_actions.py), and an action's flags are added only when its own subcommand is
parsed or its help printed (`ActionParser`), from its payload's JSON Schema (schemas/json/):
no command's parsing loads pydantic, and an action sent through the API loads none at all.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from starter.input_file import read_json

# The payloads' JSON Schemas and the action table, written from the models by `complaint-desk
# schemas` (tests/test_intake.py keeps them in step).
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "json"
ACTION_TABLE = "actions.json"


# (public name, how it travels, summary): `ACTIONS` of schemas/case_actions.py, for `--help` only.
INDEX: tuple[tuple[str, str, str], ...] = (
    ("reply", "signal", "a customer's message, or their answer to a plan or a result"),
    ("reopen", "signal", "a customer's request to re-open the case"),
    ("survey", "signal", "a customer's follow-up answer"),
    (
        "attach",
        "signal",
        "a file kept in the evidence store (or not kept, and why) recorded on the case",
    ),
    (
        "regulatory-letter",
        "update",
        "a regulator's required letter (final response, holding reply …) from its template",
    ),
    ("respond", "update", "an agent's message to the customer"),
    ("finding", "update", "an investigation finding"),
    ("plan", "update", "a resolution plan for the customer to accept"),
    ("progress", "update", "progress on the accepted plan"),
    ("confirm", "update", "confirm the automatic classification"),
    ("override", "update", "correct the classification"),
    ("task-open", "update", "ask a department for work on the case"),
    ("task-done", "update", "a department's task is done"),
    ("take", "update", "take a case from a team's queue: you own it to the end (R-IN-5)"),
    ("escalate", "update", "raise severity or risk, or hand the case on"),
    ("assign", "update", "hand the case to another agent"),
    ("approve", "update", "approve compensation above an agent's authority"),
    (
        "reject",
        "update",
        "reject compensation above an agent's authority: the plan goes back to its agent",
    ),
    ("close-for-customer", "update", "close a delivered case whose customer went silent"),
    ("task-override", "update", "close a department's task without it"),
    ("merge", "update", "merge this duplicate into the case that carries on"),
    ("policy", "update", "a new SLA policy for this case"),
)
NAMES = frozenset(name for name, _, _ in INDEX)


class ActionParser(argparse.ArgumentParser):
    """A subcommand's parser that adds its action's flags the first time it is used."""

    def __init__(self, *args: Any, action_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._action_name = action_name

    def _complete(self) -> None:
        if self._action_name is not None:
            name, self._action_name = self._action_name, None
            _add_fields(self, name)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._complete()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self._complete()
        return super().format_help()


def add_parsers(sub: Any) -> None:
    """One subcommand per action; `sub` was made with `parser_class=ActionParser`."""
    for name, delivery, summary in INDEX:
        sub.add_parser(name, help=f"{summary} ({delivery})", action_name=name)


@cache
def action_table() -> dict[str, dict[str, Any]]:
    """The action table as `complaint-desk schemas` wrote it (schemas/json/actions.json), by
    public name: what the parser and the path through the API read instead of the models."""
    table = json.loads((SCHEMAS / ACTION_TABLE).read_text(encoding="utf-8"))
    return {row["name"]: row for row in table["actions"]}


@cache
def payload_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of the action's payload (its model's, written to schemas/json/)."""
    file = SCHEMAS / f"{action_table()[name]['payload']}.json"
    schema: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    return schema


def _add_fields(parser: argparse.ArgumentParser, name: str) -> None:
    act = action_table()[name]
    schema = payload_schema(name)
    parser.description = f"{act['summary']} ({act['delivery']})"
    parser.add_argument("complaint_id")
    aliases: dict[str, str] = act["flag_aliases"]
    required = set(schema.get("required", ()))
    for field, prop in schema["properties"].items():
        if field == act["positional"]:
            parser.add_argument(field, help=prop.get("description"))
            continue
        shape = _shape(prop, schema)
        off = shape.get("type") == "boolean" and prop.get("default") is True  # `--not-blocking`
        flags = [f"--{'not-' if off else ''}{field.replace('_', '-')}"]
        if field in aliases:
            flags.insert(0, f"--{aliases[field]}")
        parser.add_argument(*flags, dest=field, **_argument(prop, shape, field in required))
    if act["preview"]:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what the action would change on the case, and change nothing",
        )


def _argument(prop: dict[str, Any], shape: dict[str, Any], required: bool) -> dict[str, Any]:
    """`add_argument` keywords for one payload field: its type, its choices, whether it is
    required; what the model checks (lengths, ranges, patterns) is left to the model."""
    keywords: dict[str, Any] = {"help": prop.get("description"), "required": required}
    kind = shape.get("type")
    if kind == "boolean":
        keywords["required"] = False
        if prop.get("default") is True:
            return {**keywords, "action": "store_false", "default": True}
        return {**keywords, "action": "store_true"}
    if "enum" in shape:
        values = [str(value) for value in shape["enum"]]
        return {
            **keywords,
            "choices": values,
            "metavar": str(shape.get("title", "value")).upper(),
            "help": "one of " + ", ".join(values),
        }
    if kind == "integer":
        return {**keywords, "type": int}
    if kind == "string" and shape.get("format") == "date-time":
        return {
            **keywords,
            "type": _moment,
            "metavar": "WHEN",
            "help": "an ISO time, or how long from now (PT4H, P1D)",
        }
    if kind == "string":
        return keywords
    return {
        **keywords,
        "type": _json_value,
        "metavar": "JSON",
        "help": "JSON text, or @FILE for a JSON file",
    }


def _shape(prop: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """What a field holds, its `null` option and `$ref` set aside: an enum, `{"type": …}`, or
    `{}` for anything a flag takes as JSON. A decimal (a number, or a number written as a
    string) is taken as the text given, for the model to read."""
    options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
    if len(options) > 1:
        plain = all(o.get("type") in ("number", "string") and "$ref" not in o for o in options)
        return {"type": "string"} if plain else {}
    option: dict[str, Any] = options[0]
    if "$ref" in option:
        option = schema["$defs"][option["$ref"].rsplit("/", 1)[-1]]
    if "enum" in option or option.get("type") in ("boolean", "integer", "string"):
        return option
    return {}


def payload(args: argparse.Namespace) -> dict[str, Any]:
    """The action's payload from the parsed flags, as the model will check it."""
    fields = payload_schema(args.command)["properties"]
    return {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}


_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?",
    re.IGNORECASE,
)


def _moment(text: str) -> str:
    """An ISO time as given, or an ISO duration from now (`PT4H`, `P1DT2H`) made into one."""
    if not text.upper().startswith("P"):
        return text
    parts = _DURATION.fullmatch(text)
    if parts is None or text.upper() in ("P", "PT") or text.upper().endswith("T"):
        raise argparse.ArgumentTypeError(f"not an ISO duration: {text}")
    within = timedelta(**{unit: float(n) for unit, n in parts.groupdict().items() if n})
    return (datetime.now(UTC) + within).isoformat()


def _json_value(text: str) -> Any:
    if text.startswith("@"):
        return read_json(Path(text[1:]))
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise argparse.ArgumentTypeError(f"not valid JSON ({err.msg})") from None


def update_outcome(cid: str, stage: str, waits: bool) -> str:
    """What the CLI says of an accepted update (`waits`: it recorded a plan that awaits a
    supervisor's approval), whichever way it was sent."""
    if waits:
        return (
            f"{cid}: recorded, not yet in effect: the plan awaits a supervisor's approval "
            f"(its compensation is above an agent's authority); stage {stage}"
        )
    return f"{cid}: accepted; stage {stage}"


def reopened_as(cid: str, new_case: str, owner: str | None) -> str:
    """What the CLI says when a customer's message to an ended case opened a linked one."""
    owned = f"owned by {owner}" if owner else "in a team's queue"
    return f"{cid} had ended: re-opened as {new_case}, linked to it ({owned})"


def message_sent(cid: str, sent: dict[str, Any]) -> str:
    """What the CLI says of a customer's message the API took (its `Sent` answer): a linked case
    it opened, or the case that has it, whose timeline will say what it made of it."""
    if sent.get("created"):
        return reopened_as(cid, str(sent.get("complaint_id")), sent.get("owner"))
    target = str(sent.get("complaint_id") or cid)
    return f"{target}: sent; its timeline says what the case made of it (see `show {target}`)"
