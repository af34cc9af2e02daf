"""One definition per case action: every row of `schemas.case_actions.ACTIONS` is reachable under
its names from the workflow (its signal or update), the client and the CLI."""

from __future__ import annotations

import inspect
from functools import partial
from typing import get_type_hints

import pytest
from temporalio import workflow

from desk.errors import Refused
from desk.service import ComplaintDesk, _OlderMessage, _OlderUpdate
from schemas import EntryKind
from schemas.case_actions import ACTIONS, Delivery, action
from starter import action_commands
from starter.cli import _parser
from tests.support.desk import Desk, eventually
from workflows import action_rules
from workflows.complaint import SIGNALS, UPDATES, ComplaintWorkflow

POLICY = "@policies/sla-seed-004.json"

# One command line per action, as a person would type it.
COMMAND_LINES: dict[str, list[str]] = {
    "reply": ["还是坏的", "--intent", "not_resolved"],
    "reopen": ["又坏了"],
    "survey": ["--result", "5", "--attitude", "4", "--timeliness", "4"],
    "attach": [
        *("--attachment-id", "F-0123456789ABCDEF", "--file-name", "漏水.jpg"),
        *("--content-type", "image/jpeg", "--size-bytes", "52311", "--source", "staff"),
        *("--sha256", "0" * 64),
    ],
    "regulatory-letter": [
        *("final_response", "--agent", "agent-zhang", "--regime", "uk-fca-disp"),
        *("--decision", "已退款"),
    ],  # refused: the case is under no regulator (tests/test_regulatory_clocks.py)
    "respond": ["我们在处理", "--agent", "agent-zhang"],
    "finding": ["密封圈老化", "--agent", "agent-zhang"],
    "plan": ["上门更换", "--agent", "agent-zhang", "--compensation", "80"],
    "progress": ["已预约", "--agent", "agent-zhang"],
    "confirm": ["--by", "agent-zhang"],
    "override": ["--by", "sup-li", "--reason", "看错了", "--severity", "L2"],
    "task-open": [
        "--by",
        "agent-zhang",
        "--department",
        "logistics",
        "--owner",
        "wl-chen",
        "--title",
        "查物流",
        "--within",
        "PT8H",
        "--not-blocking",
    ],
    "task-done": ["--task", "1", "--by", "wl-chen"],
    "take": ["--by", "agent-wang"],  # refused: agent-zhang received it (tests/test_team_queue.py)
    "escalate": ["--by", "sup-li", "--reason", "媒体", "--risk", "high"],
    "assign": ["--by", "sup-li", "--to", "agent-wang", "--reason", "休假"],
    "approve": ["--by", "sup-li", "--note", "同意"],
    "reject": ["--by", "sup-li", "--reason", "金额过高"],
    "close-for-customer": ["--by", "sup-li", "--reason", "联系不上"],
    "task-override": ["--task", "1", "--by", "sup-li", "--reason", "不等了"],
    "policy": ["--by", "ops", "--reason", "新规", "--policy", POLICY],
    "merge": ["--into", "SURVIVOR", "--by", "sup-li", "--reason", "重复"],  # last: it ends the case
}


def test_the_table_names_each_action_once() -> None:
    assert len({a.name for a in ACTIONS}) == len({a.handler for a in ACTIONS}) == len(ACTIONS)
    assert set(COMMAND_LINES) == {a.name for a in ACTIONS}


def test_the_help_index_is_the_table() -> None:
    """`--help` reads `INDEX` so as not to import the models: it must say what the table says."""
    assert tuple((a.name, a.delivery.value, a.summary) for a in ACTIONS) == action_commands.INDEX


def test_the_workflow_has_each_handler_under_its_history_name() -> None:
    """One dynamic signal and one dynamic update (they read any number of payloads) serve the
    table's rows by their history names."""
    definition = workflow._Definition.must_from_class(ComplaintWorkflow)
    assert None in definition.signals and None in definition.updates
    for each in ACTIONS:
        handlers = SIGNALS if each.delivery is Delivery.SIGNAL else UPDATES
        assert each.handler in handlers, each.name


def test_every_action_of_the_table_has_exactly_one_rule_with_its_payload() -> None:
    """`action → check → apply`, explicitly: each row has one entry in the registry, keyed by
    its history name; an update has a check (its validator), a customer's signal none (it is
    never refused); each function takes the case, the row's payload and the moment."""
    assert sorted(action_rules.RULES) == sorted(each.handler for each in ACTIONS)
    assert len({each.handler for each in ACTIONS}) == len(ACTIONS)
    for each in ACTIONS:
        rule = action_rules.rules_for(each)
        assert rule.payload is each.payload, each.name
        assert (rule.check is not None) == (each.delivery is Delivery.UPDATE), each.name
        for function in filter(None, (rule.check, rule.apply)):
            parameters = list(inspect.signature(function).parameters.values())
            names = [p.name for p in parameters]
            assert len(names) == 3 and names[0] == "case" and names[2] == "now", names
            hint = get_type_hints(function)[parameters[1].name]
            assert hint is each.payload, function.__qualname__


def test_every_cli_command_line_makes_a_valid_payload() -> None:
    for name, rest in COMMAND_LINES.items():
        args = _parser().parse_args([name, "C-1", *rest])
        assert args.command == name
        action(name).payload.model_validate(action_commands.payload(args))


def test_the_task_flag_that_turns_blocking_off_and_the_duration_flag() -> None:
    args = _parser().parse_args(["task-open", "C-1", *COMMAND_LINES["task-open"]])
    payload = action_commands.payload(args)
    assert payload["blocking"] is False and payload["due_at"] > "2000"
    default = _parser().parse_args(["task-open", "C-1", *COMMAND_LINES["task-open"][:-1]])
    assert action_commands.payload(default)["blocking"] is True


def test_the_clients_older_method_names_are_table_actions() -> None:
    """`desk.respond(…)`, `desk.propose_plan(…)`: older names of `desk.act(…, name, …)`."""
    kinds = {_OlderMessage: Delivery.SIGNAL, _OlderUpdate: Delivery.UPDATE}
    older = [v for v in vars(ComplaintDesk).values() if isinstance(v, _OlderMessage | _OlderUpdate)]
    # every action but `reopen`, which has its own path, and `attach` and `regulatory-letter`,
    # newer than the table
    assert len(older) == len(ACTIONS) - 3
    for alias in older:
        assert action(alias.name).delivery is kinds[type(alias)], alias.name


async def test_every_action_reaches_the_workflow_from_the_cli_and_the_client(desk: Desk) -> None:
    """Each command line, parsed by the CLI and sent by `desk.act` under the table's name,
    reaches its handler: it is applied, or refused by the case's own rules with a reason,
    never "no such handler"."""
    cid, survivor = await desk.open(), await desk.open()
    for name, rest in COMMAND_LINES.items():
        line = [survivor if word == "SURVIVOR" else word for word in rest]
        args = _parser().parse_args([name, cid, *line])
        since = await desk.api.next_seq(cid)
        try:
            answer = await desk.api.act(cid, name, action_commands.payload(args))
        except Refused as err:
            assert "not found" not in str(err) and "nknown" not in str(err), name
            continue
        if action(name).delivery is Delivery.UPDATE:
            assert answer is not None and answer.complaint_id == cid, name
        else:
            assert await eventually(partial(_recorded, desk, cid, since)), name


async def _recorded(desk: Desk, cid: str, since: int) -> bool | None:
    """A customer's signal always records something first: the message, or why it was kept
    (a file: the file)."""
    kinds = {e.kind for e in await desk.api.timeline(cid, since)}
    return (
        True
        if kinds
        & {
            EntryKind.CUSTOMER_MESSAGE,
            EntryKind.SURVEY_ANSWERED,
            EntryKind.REFUSED,
            EntryKind.EVIDENCE_ADDED,
        }
        else None
    )


@pytest.mark.parametrize("name", [a.name for a in ACTIONS])
def test_each_action_has_a_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args([name, "--help"])
    assert action(name).summary in capsys.readouterr().out.replace("\n", " ").replace("  ", " ")
