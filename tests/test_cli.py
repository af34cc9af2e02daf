"""The command line: every action the API offers has a command, and each parses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from starter.cli import _parser
from starter.list_cases import case_query
from tests.conftest import ROOT

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
    ["list", "--stuck"],
    ["repair", "C-1", "--by", "ops-li", "--reason", "fix deployed", "--dry-run"],
    ["repair", "C-1", "--by", "ops", "--reason", "bad", "--event-id", "12", "--drop-signals"],
    ["show", "C-1", "--customer"],
    ["assign", "C-1", "--by", "sup", "--to", "agent-wang", "--reason", "leave"],
    ["approve", "C-1", "--by", "sup", "--note", "ok"],
    ["review-done", "C-1", "--by", "qa-li", "--findings", "batch 7 seal", "--measures", "recall"],
    ["merge", "C-2", "--into", "C-1", "--by", "sup", "--reason", "same leak"],
    ["close-for-customer", "C-1", "--by", "sup", "--reason", "no answer"],
    [
        "task-open",
        "C-1",
        "--by",
        "a",
        "--department",
        "logistics",
        "--owner",
        "o",
        "--title",
        "track",
        "--within",
        "PT4H",
    ],
    ["task-done", "C-1", "--task", "1", "--by", "o"],
    ["task-override", "C-1", "--task", "1", "--by", "sup", "--reason", "r"],
    ["list", "--severity", "L1", "--breached", "--json"],
    [
        "policy-apply",
        "--file",
        "policies/sla-seed-004.json",
        "--by",
        "ops",
        "--reason",
        "r",
        "--severity",
        "L2",
    ],
    ["store", "case", "C-1"],
    ["store", "search", "漏水", "--risk", "high"],
    ["store", "kpis", "--from", "2026-11-01", "--to", "2026-12-01", "--json"],
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


def test_list_flags_become_one_filter() -> None:
    args = _parser().parse_args(["list", "--severity", "L1", "--breached", "--owner", "agent-zhang",
                                 "--query", "StartTime > '2026-11-23T00:00:00Z'"])  # fmt: skip
    assert case_query(args) == (
        'WorkflowType = "Complaint" AND ExecutionStatus = "Running" AND ComplaintSeverity = "L1" '
        'AND ComplaintOwner = "agent-zhang" AND ComplaintBreached = true '
        "AND (StartTime > '2026-11-23T00:00:00Z')"
    )
    everything = _parser().parse_args(["list", "--all", "--product", "WM-200"])
    assert case_query(everything) == 'WorkflowType = "Complaint" AND ComplaintProduct = "WM-200"'


def test_a_command_exits_with_its_code_and_its_output(tmp_path: Path) -> None:
    """The CLI leaves without the interpreter's teardown (see `main`): output and code survive."""
    done = subprocess.run(
        [sys.executable, "-m", "starter.cli", "schemas", "--out", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and "ComplaintIntake.json" in done.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "starter.cli", "escalate", "C-1", "--by", "s", "--reason", "r",
         "--severity", "L0"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert refused.returncode == 2 and "invalid choice" in refused.stderr
