"""The CLI's case-action subcommands, made from the action table (`schemas.case_actions`): one
subcommand per action under its public name, its flags the payload model's fields.

`complaint-desk --help` must not import the models (docs/benchmarks.md, "CLI latency"), so the
top-level listing reads `INDEX` (each action's name and summary, kept in step with the table by
tests/test_case_actions.py), and an action's flags are added only when its own subcommand is
parsed or its help printed (`ActionParser`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from starter.input_file import read_json

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo


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


def _add_fields(parser: argparse.ArgumentParser, name: str) -> None:
    from schemas.case_actions import action

    act = action(name)
    parser.description = f"{act.summary} ({act.delivery.value})"
    parser.add_argument("complaint_id")
    aliases = dict(act.flag_aliases)
    for field, info in act.payload.model_fields.items():
        if field == act.positional:
            parser.add_argument(field, help=info.description)
            continue
        off = _plain(info.annotation) is bool and info.default is True  # `--not-blocking`
        flags = [f"--{'not-' if off else ''}{field.replace('_', '-')}"]
        if field in aliases:
            flags.insert(0, f"--{aliases[field]}")
        parser.add_argument(*flags, dest=field, **_argument(info))
    if act.preview is not None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what the action would change on the case, and change nothing",
        )


def _argument(info: FieldInfo) -> dict[str, Any]:
    """`add_argument` keywords for one payload field: its type, its choices, whether it is
    required; what pydantic checks (lengths, ranges) is left to the model."""
    kind = _plain(info.annotation)
    keywords: dict[str, Any] = {"help": info.description, "required": info.is_required()}
    if kind is bool:
        keywords["required"] = False
        if info.default is True:
            return {**keywords, "action": "store_false", "default": True}
        return {**keywords, "action": "store_true"}
    if isinstance(kind, type) and issubclass(kind, Enum):
        values = [str(member.value) for member in kind]
        return {
            **keywords,
            "choices": values,
            "metavar": kind.__name__.upper(),
            "help": "one of " + ", ".join(values),
        }
    if kind is int:
        return {**keywords, "type": int}
    if kind in (str, _decimal()):
        return keywords
    if _is_datetime(kind):
        return {
            **keywords,
            "type": _moment,
            "metavar": "WHEN",
            "help": "an ISO time, or how long from now (PT4H, P1D)",
        }
    return {
        **keywords,
        "type": _json_value,
        "metavar": "JSON",
        "help": "JSON text, or @FILE for a JSON file",
    }


def payload(args: argparse.Namespace) -> dict[str, Any]:
    """The action's payload from the parsed flags, as the model will check it."""
    from schemas.case_actions import action

    fields = action(args.command).payload.model_fields
    return {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}


def _plain(annotation: Any) -> Any:
    """`Severity | None` → Severity, `Annotated[str, …] | None` → str."""
    if get_origin(annotation) in (Union, UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        annotation = options[0] if len(options) == 1 else annotation
    if get_origin(annotation) is Annotated:
        return get_args(annotation)[0]
    return annotation


def _decimal() -> type:
    from decimal import Decimal

    return Decimal


def _is_datetime(kind: Any) -> bool:
    from pydantic import AwareDatetime

    return kind in (datetime, AwareDatetime)


def _moment(text: str) -> str:
    """An ISO time as given, or a duration from now (`PT4H`) made into one."""
    if text.upper().startswith("P"):
        from pydantic import TypeAdapter, ValidationError

        try:
            within = TypeAdapter(timedelta).validate_python(text)
        except ValidationError:
            raise argparse.ArgumentTypeError(f"not an ISO duration: {text}") from None
        return (datetime.now(UTC) + within).isoformat()
    return text


def _json_value(text: str) -> Any:
    if text.startswith("@"):
        return read_json(Path(text[1:]))
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise argparse.ArgumentTypeError(f"not valid JSON ({err.msg})") from None
