"""The team queue in a real Chromium: a case nobody received waits in the team queue of every
agent (the demo staff are in no team, so they see every team's); one agent takes it from there,
it moves to that agent's own queue and leaves the team queue, and a second take is refused with
the reason. The store's team scope keeps to the teams a person works in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from playwright.async_api import expect

from case_store import queue as store_queue
from tests.support.desk import Desk, eventually
from tests.support.web import chromium, serving, sign_in
from web import i18n, users


async def test_an_agent_takes_a_team_case_and_it_moves_to_my_queue(
    desk: Desk, tmp_path: Path
) -> None:
    cid = await desk.open(receiver=None, channel="email")  # 漏水: team-after-sales
    async with serving(desk, tmp_path) as served, chromium() as browser:
        context = await browser.new_context(locale="en-US")
        page = await context.new_page()
        await sign_in(page, served, "agent-zhang")
        # Another agent has the case open while it waits in the team queue (a page offers
        # "take" only while a team owns the case).
        other = await (await browser.new_context(locale="en-US")).new_page()
        await sign_in(other, served, "agent-wang")
        await other.goto(served.base + f"/cases/{cid}")
        await expect(other.get_by_text("Take this case", exact=True).first).to_be_visible()
        team = page.locator("table.team-queue")
        row = team.get_by_role("row").filter(has=page.get_by_role("link", name=cid))
        await expect(row).to_contain_text("team-after-sales", timeout=15_000)
        await row.get_by_role("button", name="Take this case").click()
        await expect(page.get_by_role("status")).to_contain_text("the case accepted it")

        await page.goto(served.base + "/queue")
        mine = page.locator("table.queue:not(.team-queue)")
        # the store has the new owner a moment later: the queue reloads itself when it does
        await expect(mine.get_by_role("link", name=cid)).to_be_visible(timeout=15_000)
        await expect(team.get_by_role("link", name=cid)).to_have_count(0)

        # The other agent, their page still showing it in the team queue, is told who has it.
        await other.get_by_text("Take this case", exact=True).first.click()
        await (
            other.locator("details[open] form").get_by_role("button", name="Take this case").click()
        )
        await expect(other.get_by_text("agent-zhang already owns it")).to_be_visible()

    case = await desk.api.snapshot(cid)
    assert (case.owner, case.team_owned) == ("agent-zhang", False)


async def test_a_team_queue_holds_only_the_teams_a_person_works_in(desk: Desk) -> None:
    cid = await desk.open(receiver=None, channel="email")
    now = await desk.now()

    async def listed(*teams: str) -> list[str]:
        scope = store_queue.QueueScope(owner="agent-li", team=True, teams=teams)
        async with desk.pool.acquire() as connection:
            page = await store_queue.queue(connection, scope, now)
        return [r.complaint_id for r in page.rows]

    async def stored() -> bool | None:  # the projection is written in the background
        owner = await desk.pool.fetchval(
            "SELECT owner FROM complaints WHERE complaint_id = $1", cid
        )
        return True if owner == "team-after-sales" else None

    await eventually(stored)
    assert cid in await listed("team-after-sales")
    assert cid in await listed()  # in no team: every team's cases
    assert cid not in await listed("team-logistics", "team-billing")
    mine = store_queue.QueueScope(owner="agent-li")
    async with desk.pool.acquire() as connection:
        assert cid not in [
            r.complaint_id for r in (await store_queue.queue(connection, mine, now)).rows
        ]


def test_user_add_names_the_teams_a_person_works_in(tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("complaint-desk")
    env = {"PATH": os.environ["PATH"], "COMPLAINT_DESK_HOME": str(tmp_path)}
    line: list[str | Path] = [cli, "user-add", "agent-chen", "--name", "陈", "--role", "agent"]
    done = subprocess.run(
        [*line, "--team", "team-logistics", "--team", "team-billing"],
        input="long-enough-1\n",
        text=True,
        capture_output=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert users.load(tmp_path / "users.json")["agent-chen"].teams == [
        "team-logistics",
        "team-billing",
    ]
    bad = subprocess.run(
        [*line, "--team", "logistics"],
        input="long-enough-1\n",
        text=True,
        capture_output=True,
        env=env,
    )
    assert bad.returncode == 2 and "teams.0" in bad.stderr and "Traceback" not in bad.stderr


def test_the_take_action_is_named_in_chinese_too() -> None:
    # Its refusal is the catalogue's `refusal.<code>` (tests/test_doors.py renders one).
    assert i18n.action_label("take", "zh") == "认领此案件"
