"""A supervisor in a real Chromium sees what a new SLA policy would change before applying it:
on one case's page, and on the board for every open case; nothing changes until they confirm."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from playwright.async_api import expect

from schemas.sla import EscalationChain
from tests.support.desk import ROUND_THE_CLOCK, Desk, eventually, responding_within
from tests.support.web import chromium, serving, shot, sign_in

FASTER = responding_within(
    ROUND_THE_CLOCK,
    timedelta(hours=2),
    version="faster",
    escalation=EscalationChain(management_after=timedelta(hours=1)),
)
POLICY_JSON = json.dumps(FASTER.model_dump(mode="json"))


async def test_a_case_page_shows_the_dry_run_before_the_confirm_button(
    desk: Desk, tmp_path: Path
) -> None:
    cid = await desk.open()
    async with serving(desk, tmp_path) as served, chromium() as browser:
        page = await (await browser.new_context(locale="en-GB")).new_page()
        await page.goto(served.base + "/lang/en?next=/signin")
        await sign_in(page, served, "sup-li")
        await page.goto(f"{served.base}/cases/{cid}")
        await page.locator("#act-policy > summary").click()
        form = page.locator("form[data-action=policy]")
        await form.locator("[name=reason]").fill("faster answers")
        await form.locator("[name=policy]").fill(POLICY_JSON)
        await form.get_by_role("button", name="Preview the change").click()

        await expect(
            page.get_by_role("heading", name="What the new policy would change")
        ).to_be_visible()
        row = page.locator("table.dry-run tbody tr").first
        await expect(row).to_contain_text("L2 respond")
        await expect(page.locator("table.dry-run").nth(1)).to_contain_text("L2 respond within")
        assert (await desk.api.snapshot(cid)).policy_version != "faster"  # nothing yet
        await shot(page, "screenshots/policy-dry-run-case")

        await page.get_by_role("button", name="Apply the policy").click()
        await expect(page).to_have_url(f"{served.base}/cases/{cid}?done=policy&became=accepted")
        assert (await desk.api.snapshot(cid)).policy_version == "faster"


async def test_the_board_adopts_a_policy_on_open_cases_after_the_table(
    desk: Desk, tmp_path: Path
) -> None:
    cases = [await desk.open(), await desk.open()]

    async def stored() -> bool | None:
        async with desk.pool.acquire() as connection:
            n = await connection.fetchval(
                "SELECT count(*) FROM complaints WHERE complaint_id = ANY($1) AND severity = 'L2'",
                cases,
            )
        return True if n == len(cases) else None

    await eventually(stored)
    async with serving(desk, tmp_path) as served, chromium() as browser:
        page = await (await browser.new_context(locale="zh-CN")).new_page()
        await page.goto(served.base + "/lang/en?next=/signin")
        await sign_in(page, served, "sup-li")
        await page.goto(served.base + "/lang/zh?next=/board")
        await page.get_by_role("link", name="采用时限政策（先预演）").click()
        await page.get_by_label("政策（JSON）").fill(POLICY_JSON)
        await page.get_by_label("原因").fill("加快响应")
        await page.get_by_label("仅限等级").select_option("L2")
        await page.get_by_role("button", name="预览变更").click()

        await expect(page.get_by_role("status")).to_contain_text("共 2 个案件")
        rows = page.locator("table.dry-run").first.locator("tbody tr")
        await expect(rows).to_have_count(2)
        for cid in cases:
            await expect(page.locator("table.dry-run").first).to_contain_text(cid)
            assert (await desk.api.snapshot(cid)).policy_version != "faster"
        await shot(page, "screenshots/policy-dry-run-board")

        await page.get_by_role("button", name="应用到这 2 个案件").click()
        await expect(page.get_by_role("status")).to_contain_text("2 个案件已改用政策 faster")
        for cid in cases:
            assert (await desk.api.snapshot(cid)).policy_version == "faster"
