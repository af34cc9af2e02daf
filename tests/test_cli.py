"""The command line: every action the API offers has a command, and each parses."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from schemas import DeadlineKind, Escalation, Outcome, RiskLevel, Stage
from schemas.case import Deadline, EscalationLevel
from starter.cli import _parser
from starter.list_cases import case_query, still_open
from starter.show import render_snapshot as _render
from tests.support.cases import T0, classified
from tests.support.cli import cli_against, cli_env, imported_after, run_cli
from tests.support.desk import ROOT, Desk, eventually
from tests.support.lifecycle import drive_to_close

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
    args = _parser().parse_args(
        [
            "list",
            "--severity",
            "L1",
            "--breached",
            "--owner",
            "agent-zhang",
            "--query",
            "StartTime > '2026-11-23T00:00:00Z'",
        ]
    )
    assert case_query(args) == (
        'WorkflowType = "Complaint" AND ExecutionStatus = "Running" AND ComplaintSeverity = "L1" '
        'AND ComplaintOwner = "agent-zhang" AND ComplaintBreached = true '
        "AND (StartTime > '2026-11-23T00:00:00Z')"
    )
    everything = _parser().parse_args(["list", "--all", "--product", "WM-200"])
    assert case_query(everything) == 'WorkflowType = "Complaint" AND ComplaintProduct = "WM-200"'


def test_list_leaves_out_a_done_case_still_sending_its_last_messages() -> None:
    """Before: `list` (open cases) showed a case at stage done whose run held a message for the
    end of quiet hours; a case stuck before it had a stage stays listed."""
    rows: list[dict[str, Any]] = [
        {"case": "C-1", "stage": "done"},
        {"case": "C-2", "stage": "investigate"},
        {"case": "C-3", "stage": None},
    ]
    assert [r["case"] for r in still_open(rows)] == ["C-2", "C-3"]


@pytest.mark.system  # runs the CLI as a process
def test_a_command_exits_with_its_code_and_its_output(tmp_path: Path) -> None:
    """The CLI leaves without the interpreter's teardown (see `main`): output and code survive."""
    done = subprocess.run(
        [sys.executable, "-m", "starter.cli", "schemas", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0 and "ComplaintIntake.json" in done.stdout
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "starter.cli",
            "escalate",
            "C-1",
            "--by",
            "s",
            "--reason",
            "r",
            "--severity",
            "L0",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert refused.returncode == 2 and "invalid choice" in refused.stderr


@pytest.mark.system  # runs the CLI as a process
@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "No such file or directory"),
        ('{"complaint_id": "C-1",', "not valid JSON (Expecting"),
        ("[1, 2]", "invalid input, nothing was sent"),
    ],
    ids=["missing", "malformed", "not an object"],
)
def test_a_bad_file_is_one_line_and_exit_code_2(
    tmp_path: Path, content: str | None, says: str
) -> None:
    """Before: a raw FileNotFoundError / JSONDecodeError traceback."""
    intake = tmp_path / "intake.json"
    if content is not None:
        intake.write_text(content, encoding="utf-8")
    done = run_cli("start", "--file", str(intake))
    assert done.returncode == 2, done.stderr
    assert says in done.stderr and "Traceback" not in done.stderr
    policy = run_cli("policy-apply", "--file", str(intake), "--by", "ops", "--reason", "r")
    assert policy.returncode == 2 and "Traceback" not in policy.stderr


def _deadline(kind: DeadlineKind, due: datetime) -> Deadline:
    return Deadline(kind=kind, round=0, severity=None, started_at=T0, due_at=due)


def test_show_names_the_escalation_level_and_tells_recurring_deadlines_apart() -> None:
    """Before: `owner agent-zhang (supervisor)` read like a role; two rows read
    `progress_update r0`, and long deadline names pushed the columns out of line."""
    case = classified()
    first = _render(case.snapshot(), case.entries_since(0)).splitlines()
    assert "owner agent-zhang  not escalated" in first[1]
    timeline = first[first.index("  timeline:") + 1 :]
    summaries = {
        len(line) - len(e.summary) for line, e in zip(timeline, case.entries_since(0), strict=True)
    }
    assert len(summaries) == 1  # the summary column lines up
    case.escalate_case(Escalation(by="sup-li", reason="媒体", risk=RiskLevel.HIGH), T0)
    day = timedelta(days=1)
    snapshot = case.snapshot().model_copy(update={"escalation_level": EscalationLevel.SUPERVISOR})
    snapshot.deadlines.extend(
        [
            _deadline(DeadlineKind.PROGRESS_UPDATE, T0 + day),
            _deadline(DeadlineKind.PROGRESS_UPDATE, T0 + 2 * day),
        ]
    )
    shown = _render(snapshot, case.entries_since(0)).splitlines()
    assert "owner agent-zhang  escalated to supervisor" in shown[1]
    rows = shown[shown.index("  deadlines:") + 1 : shown.index("  timeline:")]
    names = [row.split(" due ")[0].strip() for row in rows]
    assert len(names) == len(set(names)), names  # each deadline row is told apart
    assert len({row.index(" due ") for row in rows}) == 1  # one column, however long the name


async def test_show_tells_no_case_from_an_ended_one_and_survives_a_closed_pipe(
    desk: Desk, tmp_path: Path
) -> None:
    """Before: `show C-NOPE` said "it may have ended" (ended cases do show), and `show … | head`
    died with a BrokenPipeError traceback."""
    code, _, err = await cli_against(desk, tmp_path, "show", "C-NOPE")
    assert code == 4 and err.strip() == "no case with complaint id C-NOPE"

    cid = await desk.open()
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone: every write is a broken pipe
    try:
        code, _, err = await cli_against(desk, tmp_path, "show", cid, stdout=write_end)
    finally:
        os.close(write_end)
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert code == 141


async def test_a_second_reopen_says_it_was_kept_as_a_message(desk: Desk, tmp_path: Path) -> None:
    """Before: the second request printed "re-opened as …-R1" although the open re-open only
    kept it as a message."""
    cid = await desk.open()
    await drive_to_close(desk, cid)
    await desk.skip(timedelta(days=3, minutes=1))
    await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP)
    await desk.skip(timedelta(days=7))
    assert (await desk.api.outcome(cid)).outcome is Outcome.CLOSED_NO_RESPONSE
    again = await desk.api.reopen(cid, {"reason": "洗衣机又漏水了"})  # on the test's task queue
    desk.opened.append(again.complaint_id)
    await desk.until(again.complaint_id, lambda s: s.stage is Stage.INVESTIGATE)

    code, out, err = await cli_against(desk, tmp_path, "reopen", cid, "还是不行")
    assert code == 0, err
    assert "re-opened as" not in out
    assert f"{cid}-R1 (the open re-open of {cid}): not re-opened:" in out
    assert "kept as a message" in out
    code, out, _ = await cli_against(desk, tmp_path, "show", cid)  # the ended case still shows
    assert code == 0 and "outcome closed_no_response" in out


async def test_commands_find_the_dev_server_on_ups_port(desk: Desk, tmp_path: Path) -> None:
    """`up` on another port (COMPLAINT_DESK_TEMPORAL_PORT), a second terminal with the same
    settings: its commands find the server. Before: they tried localhost:7233 and failed."""
    host, port = desk.env.client.service_client.config.target_host.rsplit(":", 1)
    assert host in ("localhost", "127.0.0.1")
    cid = await desk.open()
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "starter.cli", "show", cid, "--live"),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={
            **{k: v for k, v in cli_env().items() if k != "TEMPORAL_ADDRESS"},
            "COMPLAINT_DESK_HOME": str(tmp_path),
            "COMPLAINT_DESK_TEMPORAL_PORT": port,
        },
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert cid in out.decode()


def test_show_asks_the_queries_the_workflow_answers() -> None:
    """`show` reads by query name without importing the workflow: the names must stay in step."""
    from temporalio import workflow

    from desk import reading
    from workflows.complaint import ComplaintWorkflow, workflow_id_for

    assert workflow_id_for("C-1") == reading.WORKFLOW_ID_PREFIX + "C-1"
    queries: list[tuple[str, Callable[..., Any]]] = [
        (reading.SNAPSHOT, ComplaintWorkflow.snapshot),
        (reading.TIMELINE, ComplaintWorkflow.timeline),
        (reading.CUSTOMER_VIEW, ComplaintWorkflow.customer_view),
        (reading.STAFF_VIEW, ComplaintWorkflow.staff_view),
    ]
    for name, method in queries:
        definition = workflow._QueryDefinition.from_fn(method)
        assert definition is not None and definition.name == name


# What the quick paths must not load: Temporal's SDK, the models, the settings' pydantic.
HEAVY = {"temporalio", "pydantic", "pydantic_core", "pydantic_settings", "schemas", "workflows"}


def test_help_loads_no_models_and_no_temporal() -> None:
    """`complaint-desk --help` stays fast (docs/benchmarks.md): the entry point and its whole
    parser import nothing heavy. Checked on what is imported, not on a time."""
    script = """
import contextlib, io
from starter.cli import _parser, main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    _parser().parse_args(["--help"])
"""
    imported = imported_after(script)
    assert "starter.cli" in imported
    assert not {m for m in imported if m.split(".")[0] in HEAVY | {"asyncpg", "configuration"}}


def test_an_action_loads_no_workflow_code_and_no_grader() -> None:
    """An agent's action from the CLI (and from every door: they share the desk) pays for the
    client and the models it sends, not for the lifecycle's rules or the grader's encoders
    (docs/benchmarks.md, "The agent's click"). Checked on what is imported, not on a time."""
    script = """
from starter.cli import _parser
import desk.connection, desk.service, encryption.keys
_parser().parse_args(["finding", "C-1", "valve loose", "--agent", "agent-zhang"])
"""
    imported = imported_after(script)
    assert {"desk.service", "schemas.case_actions", "temporalio.client"} <= imported
    heavy = {"activities", "grading", "numpy", "web", "api", "case_store", "evidence"}
    assert not {m for m in imported if m.split(".")[0] in heavy}
    assert not {m for m in imported if m.startswith("workflows.") and m != "workflows.ids"}


async def test_a_plan_above_the_agents_authority_and_a_reply_kept_as_a_message_say_so(
    desk: Desk, tmp_path: Path
) -> None:
    """Before: a plan above the agent's 50 yuan printed "accepted; stage investigate", and the
    customer's `reply --intent accept_plan` then printed "sent" although the case only kept it
    as a message."""
    cid = await desk.open()
    code, out, err = await cli_against(
        desk, tmp_path, "plan", cid, "上门更换", "--agent", "agent-zhang", "--compensation", "80"
    )
    assert code == 0, err
    assert "awaits a supervisor's approval" in out and "accepted" not in out
    code, out, err = await cli_against(
        desk, tmp_path, "reply", cid, "可以", "--intent", "accept_plan"
    )
    assert code == 0, err
    assert "'accept_plan' does not apply at this stage; kept as a message" in out
    assert "sent" not in out
    code, out, err = await cli_against(desk, tmp_path, "approve", cid, "--by", "sup-li")
    assert code == 0 and out.strip() == f"{cid}: accepted; stage resolve", err
    code, out, err = await cli_against(
        desk, tmp_path, "reply", cid, "好的", "--intent", "accept_plan"
    )
    assert code == 0 and out.strip() == f"{cid}: recorded; stage now track", err


async def test_show_reads_the_case_store_says_so_and_loads_no_temporal(
    desk: Desk, fresh_database: str, tmp_path: Path
) -> None:
    """`show` answers from the case store's projection (what the web workspace reads: one
    PostgreSQL read, no Temporal client, no models) and says up to which entry it goes;
    `--live` asks the case itself, and both print the same case. A store that cannot be
    reached, or lacks the case, is passed over for the case itself."""
    cid = await desk.open()
    await desk.api.respond(cid, {"agent": "agent-zhang", "text": "非常抱歉，我们马上安排。"})
    last = (await desk.api.timeline(cid))[-1].seq

    async def projected() -> bool | None:
        seq = await desk.pool.fetchval(
            "SELECT last_seq FROM complaints WHERE complaint_id = $1", cid
        )
        return True if seq == last else None

    await eventually(projected)
    code, stored, err = await cli_against(
        desk, tmp_path, "show", cid, PYTHONPROFILEIMPORTTIME="1", DATABASE_URL=fresh_database
    )
    assert code == 0, err
    *shown, source = stored.splitlines()
    assert source.startswith(f"  (the case store's copy, up to entry {last} of ")
    loaded = {line.split("|")[-1].strip() for line in err.splitlines() if "|" in line}
    assert "asyncpg" in loaded
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}

    code, asked, err = await cli_against(
        desk, tmp_path, "show", cid, "--live", DATABASE_URL=fresh_database
    )
    assert code == 0, err
    *live, source = asked.splitlines()
    assert source == "  (from the case itself, live)"
    assert shown == live

    for url in ("postgresql://nobody@127.0.0.1:1/none", fresh_database):  # unreachable, found
        code, out, err = await cli_against(desk, tmp_path, "show", cid, DATABASE_URL=url)
        assert code == 0 and out.splitlines()[:-1] == live, err
    code, out, err = await cli_against(
        desk, tmp_path, "show", "C-NOPE", DATABASE_URL=fresh_database
    )
    assert code == 4 and err.strip() == "no case with complaint id C-NOPE"


def test_show_knows_the_watchdogs_word_for_stuck() -> None:
    from schemas.stuck_cases import STUCK_KIND
    from starter import show

    assert f"kind = '{STUCK_KIND}'" in show._STUCK
