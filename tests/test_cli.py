"""The command line: every action the API offers has a command, and each parses."""

from __future__ import annotations

import pytest

from starter.cli import _parser

COMMANDS = [
    ["start", "--file", "examples/complaint.json"],
    ["reply", "C-1", "还是坏的", "--intent", "not_resolved"],
    ["reopen", "C-1", "又坏了"],
    ["survey", "C-1", "--result", "5", "--attitude", "4", "--timeliness", "4"],
    ["escalate", "C-1", "--by", "sup", "--reason", "media", "--severity", "L1", "--risk", "high"],
    ["confirm", "C-1", "--by", "agent"],
    [
        "override",
        "C-1",
        "--by",
        "sup",
        "--reason",
        "x",
        "--severity",
        "L1",
        "--category",
        "product",
    ],
    ["respond", "C-1", "text", "--agent", "a"],
    ["finding", "C-1", "summary", "--agent", "a"],
    ["plan", "C-1", "summary", "--agent", "a", "--compensation", "50"],
    ["progress", "C-1", "note", "--agent", "a", "--completed"],
    ["show", "C-1", "--json"],
    ["store", "case", "C-1"],
    ["store", "search", "漏水", "--risk", "high"],
    ["codec-server", "--port", "8089", "--ui-origin", "https://ui.example"],
    ["new-key", "--id", "2027-01"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_each_command_parses(argv: list[str]) -> None:
    assert _parser().parse_args(argv).command == argv[0]


def test_a_bad_choice_is_refused_with_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["escalate", "C-1", "--by", "s", "--reason", "r", "--severity", "L0"])
    assert "invalid choice: 'L0'" in capsys.readouterr().err
