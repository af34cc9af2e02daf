"""The search page in a real Chromium, in English and in Chinese, and the queue's new-activity
marker on a real case: what an agent sees, and that nothing they type reaches a URL."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect

from tests.support.desk import Desk, eventually
from tests.support.search import seed, workspace
from tests.support.web import chromium, serving, shot, sign_in


async def test_an_agent_finds_cases_by_words_and_contact_and_saves_a_view_in_both_languages(
    desk: Desk, tmp_path: Path
) -> None:
    await seed(desk.pool, await desk.now())
    asked: list[str] = []
    async with serving(desk, tmp_path) as served, chromium() as browser:
        page = await (await browser.new_context(locale="en-US")).new_page()
        page.on("request", lambda r: asked.append(r.url))
        await sign_in(page, served, "agent-zhang")
        await page.get_by_role("link", name="Search", exact=True).click()
        await expect(page.get_by_role("heading", name="Search cases")).to_be_visible()

        await page.get_by_label("Words or complaint id").fill("漏水")
        await page.get_by_role("button", name="Search", exact=True).click()
        results = page.locator("table.search-results")
        await expect(results.get_by_role("link", name="C-S1")).to_be_visible()
        await expect(results.get_by_role("row")).to_have_count(2)  # the header and C-S1

        await page.get_by_label("Words or complaint id").fill("")
        await page.get_by_label("Customer phone, e-mail or account").fill("138 0000 0000")
        await page.get_by_role("button", name="Search", exact=True).click()
        await expect(results.get_by_role("link", name="C-S1")).to_be_visible()
        await expect(page.get_by_role("button", name="Save view")).to_have_count(0)

        await page.get_by_role("link", name="Open", exact=True).click()
        await page.get_by_label("Words or complaint id").fill("delivery")
        await page.get_by_role("button", name="Search", exact=True).click()
        await expect(results.get_by_role("link", name="C-S3")).to_be_visible()
        await page.get_by_label("Save these filters as").fill("迟到的快递")
        await page.get_by_role("button", name="Save view").click()
        await expect(page.get_by_role("link", name="迟到的快递")).to_be_visible()
        await expect(results.get_by_role("link", name="C-S3")).to_be_visible()
        assert "view_id=" in page.url
        await expect(page.get_by_role("button", name="Export as CSV")).to_have_count(0)  # agent
        await shot(page, "web-search-en")

        await page.get_by_role("link", name="中文").click()
        await expect(page.get_by_role("heading", name="搜索案件")).to_be_visible()
        await expect(page.get_by_role("link", name="迟到的快递")).to_be_visible()
        await page.get_by_role("link", name="已结束", exact=True).click()
        await page.get_by_label("关键词或投诉编号").fill("fridge")
        await page.get_by_role("button", name="搜索", exact=True).click()
        row = results.get_by_role("row").filter(has=page.get_by_role("link", name="C-S2"))
        await expect(row).to_contain_text("客户确认")  # its outcome in the reader's words
        await expect(page.get_by_role("columnheader", name="投诉编号")).to_be_visible()
        text = await page.locator("main").inner_text()
        assert "search." not in text and "closed_confirmed" not in text  # no raw key or code
        await shot(page, "web-search-zh")

    typed = ("漏水", "138", "0000", "delivery", "fridge", "%E6%BC%8F")
    assert not [url for url in asked if any(t in url for t in typed)]


async def test_the_queue_marks_a_case_the_customer_wrote_to_until_its_owner_opens_it(
    desk: Desk, tmp_path: Path
) -> None:
    cid = await desk.open()  # received by agent-zhang
    await desk.api.reply(cid, {"text": "还在漏水，请快点"})

    async def stored() -> bool | None:
        kinds = await desk.pool.fetchval(
            "SELECT count(*) FROM complaint_events WHERE complaint_id = $1 "
            "AND kind = 'customer_message'",
            cid,
        )
        return True if kinds else None

    await eventually(stored)
    async with workspace(desk, tmp_path) as served:
        agent = await served.signed_in("agent-zhang")
        other = await served.signed_in("agent-wang")

        def marked(page: str) -> bool:
            row = next(line for line in page.splitlines() if f'/cases/{cid}"' in line)
            return "new-activity" in row

        assert marked((await agent.get("/queue")).text)
        await other.get(f"/cases/{cid}")  # someone else reading it changes nothing for the owner
        assert marked((await agent.get("/queue")).text)
        assert (await agent.get(f"/cases/{cid}")).status_code == 200
        assert not marked((await agent.get("/queue")).text)
        await agent.aclose()
        await other.aclose()
