"""The command line through the running API (`COMPLAINT_DESK_API_URL`, `COMPLAINT_DESK_API_KEY`):
a case action is one HTTP request to a real uvicorn server over a real worker, its answer
printed as the direct path prints the desk's; the key's and the server's refusals are sentences
from the catalogue; and the process loads neither Temporal's client nor pydantic."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from catalogue import render
from schemas import EntryKind
from tests.support.api import Api, running_api
from tests.support.cli import cli_against, cli_through_api, imported_after
from tests.support.desk import Desk, eventually

# The workspace key acts for the people it names; crm-agents acts as itself only.
WORKSPACE, OWN_NAME, SLOW = "workspace", "crm-agents", "slow"


@pytest.fixture
async def api(desk: Desk) -> AsyncIterator[Api]:
    async with running_api(desk.api) as running:
        yield running


async def test_a_finding_and_a_plan_land_on_the_case_and_say_what_the_case_made_of_them(
    desk: Desk, api: Api
) -> None:
    cid = await desk.open()

    found = await cli_through_api(
        api.url, api.tokens[WORKSPACE], "finding", cid, "阀门松动", "--agent", "agent-zhang"
    )
    plan = await cli_through_api(
        api.url,
        api.tokens[WORKSPACE],
        *("plan", cid, "上门更换", "--agent", "agent-wang", "--compensation", "80"),
    )

    assert found == (0, f"{cid}: accepted; stage investigate\n", "")
    assert plan[0] == 0, plan
    assert plan[1].startswith(f"{cid}: recorded, not yet in effect: the plan awaits")
    timeline = await desk.api.timeline(cid)
    findings = [e.actor for e in timeline if e.kind is EntryKind.FINDING and e.actor != "system"]
    assert findings == ["agent-zhang"]  # the person named, not the key
    snapshot = await desk.api.snapshot(cid)
    assert snapshot.plan_awaiting_approval is not None


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_refusal_is_the_catalogues_sentence_as_the_direct_path_prints_it(
    desk: Desk, api: Api, tmp_path: Path, lang: str
) -> None:
    cid = await desk.open()
    argv = ("--lang", lang, "approve", cid, "--by", "agent-wang", "--note", "ok")
    proposed = await cli_through_api(
        api.url,
        api.tokens[WORKSPACE],
        *("plan", cid, "上门更换", "--agent", "agent-wang", "--compensation", "80"),
    )
    assert proposed[0] == 0, proposed

    through = await cli_through_api(api.url, api.tokens[WORKSPACE], *argv)
    direct = await cli_against(desk, tmp_path, *argv)

    assert through == direct  # its own plan: the same exit code (3) and the same sentence
    assert through[0] == 3
    assert through[2].startswith("refused: ")
    assert "agent-wang" in through[2]
    assert ("提出" in through[2]) is (lang == "zh")


async def test_a_message_from_the_customer_is_sent_and_a_key_over_its_rate_is_told_so(
    desk: Desk, api: Api
) -> None:
    cid = await desk.open()
    slow = api.tokens[SLOW]  # a burst of 2, then one request in 1,000 s

    sent = [await cli_through_api(api.url, slow, "reply", cid, text) for text in ("坏了", "还坏")]
    held = await cli_through_api(api.url, slow, "--lang", "zh", "reply", cid, "又坏了")

    assert sent[0] == (
        0,
        f"{cid}: sent; its timeline says what the case made of it (see `show {cid}`)\n",
        "",
    )
    assert held[0] == 4 and held[1] == ""
    retry = held[2].split("请 ")[-1].split(" 秒")[0]
    assert held[2] == render("cli.api_rate_limited", "zh", {"seconds": retry}) + "\n"

    async def messages() -> int | None:
        timeline = await desk.api.timeline(cid)
        count = sum(e.kind is EntryKind.CUSTOMER_MESSAGE for e in timeline)
        return count if count >= 2 else None

    assert await eventually(messages) == 2  # the two sent, not the one held back


async def test_a_wrong_key_a_key_that_acts_for_nobody_and_no_key_are_told_clearly(
    desk: Desk, api: Api
) -> None:
    cid = await desk.open()
    argv = ("finding", cid, "阀门松动", "--agent", "agent-zhang")

    wrong = await cli_through_api(api.url, "cdk_not-a-key", *argv)
    as_itself = await cli_through_api(api.url, api.tokens[OWN_NAME], "--lang", "zh", *argv)
    none = await cli_through_api(api.url, "", *argv)

    assert wrong == (4, "", render("cli.api_key_refused", "en", {"url": api.url}) + "\n")
    assert as_itself[0] == 4
    assert as_itself[2].startswith("COMPLAINT_DESK_API_KEY 中的密钥无权执行此操作")
    assert "--acts-for" in as_itself[2]
    assert none == (5, "", render("cli.api_key_missing", "en") + "\n")
    timeline = await desk.api.timeline(cid)
    assert not [e for e in timeline if e.kind is EntryKind.FINDING and e.actor != "system"]


async def test_an_unreachable_api_is_one_sentence_and_the_exit_code_of_an_unreachable_desk(
    tmp_path: Path,
) -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    argv = ("--lang", "zh", "finding", "C-1", "阀门松动", "--agent", "agent-zhang")

    code, out, err = await cli_through_api(url, "cdk_any", *argv)

    assert (code, out) == (4, "")
    assert err.startswith(f"无法连接投诉台 API {url}（")
    assert "Traceback" not in err and len(err.splitlines()) == 1


async def test_bad_input_is_refused_by_the_api_and_named(desk: Desk, api: Api) -> None:
    cid = await desk.open()

    code, out, err = await cli_through_api(
        api.url, api.tokens[WORKSPACE], "finding", cid, "x" * 4001, "--agent", "agent-zhang"
    )

    assert (code, out) == (2, "")
    assert err.startswith("invalid input, nothing was sent:\n  summary: ")


async def test_the_path_through_the_api_loads_no_temporal_and_no_pydantic(api: Api) -> None:
    """What makes it fast (docs/benchmarks.md, "The agent's click"): the process pays for
    Python, argparse, the JSON Schemas and urllib. Checked on what is imported, not on a time;
    the answer read is a real one (an unknown case)."""
    script = """
import contextlib, io
from starter import cli
args = cli._parser().parse_args(["finding", "C-none", "valve loose", "--agent", "agent-zhang"])
with contextlib.redirect_stderr(io.StringIO()) as said:
    code = cli._through_api(args)
assert code == 4 and said.getvalue().startswith("no case with complaint id C-none"), said.getvalue()
"""
    imported = await asyncio.to_thread(
        imported_after,
        script,
        COMPLAINT_DESK_API_URL=api.url,
        COMPLAINT_DESK_API_KEY=api.tokens[WORKSPACE],
    )
    assert "starter.through_api" in imported
    heavy = {"temporalio", "pydantic", "pydantic_core", "pydantic_settings", "schemas", "httpx"}
    heavy |= {"asyncio", "configuration.settings"}
    assert not {m for m in imported if m.split(".")[0] in heavy or m in heavy}


async def test_a_dry_run_through_the_api_prints_the_direct_paths_table(
    desk: Desk, api: Api, tmp_path: Path
) -> None:
    cid = await desk.open()
    argv = ["--lang", "zh", "policy", cid, "--by", "sup-li", "--reason", "试行新时限"]
    argv += ["--policy", "@policies/sla-seed-004.json", "--dry-run"]

    through = await cli_through_api(api.url, api.tokens[WORKSPACE], *argv)
    direct = await cli_against(desk, tmp_path, *argv)

    assert through[0] == 0, through
    assert through == direct
