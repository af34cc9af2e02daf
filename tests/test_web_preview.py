"""The letter an agent's reply becomes, previewed before it is sent (issue #24): the case page's
"preview" shows the letter the desk composes — its one greeting, the agent's words, the case id
and the progress link — and sends it from there; another agent may not preview a case not theirs."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect

from schemas.case import EntryKind
from tests.support.desk import Desk, eventually
from tests.support.web import chromium, serving, shot, sign_in

REPLY = "您好，非常抱歉给您带来不便，师傅明天上午上门检查。"


async def test_an_agent_previews_the_letter_as_the_customer_gets_it_and_sends_it(
    desk: Desk, tmp_path: Path
) -> None:
    cid = await desk.open(channel="email", subject="洗衣机漏水")
    async with serving(desk, tmp_path) as served, chromium() as browser:
        page = await (await browser.new_context(locale="en-US")).new_page()
        await sign_in(page, served, "agent-zhang")
        await page.goto(f"{served.base}/cases/{cid}")
        await page.locator("#act-respond summary").click()
        form = page.locator("#act-respond form")
        await form.locator("textarea[name=text]").fill(REPLY)
        await form.get_by_role("button", name="Preview the letter").click()

        await expect(page.get_by_role("heading", level=1)).to_contain_text(
            "The letter as the customer gets it"
        )
        letter = page.frame_locator("iframe.letter")
        await expect(letter.locator("body")).to_contain_text(REPLY)
        body = await letter.locator("body").inner_text()
        assert "尊敬的" not in body  # the agent greeted: the desk does not greet twice
        link = await letter.locator("a").first.get_attribute("href")
        assert cid in body and link is not None and "/p/" in link
        await shot(page, "web-letter-preview")
        assert not await desk.api.timeline(cid) or all(
            e.kind is not EntryKind.AGENT_MESSAGE for e in await desk.api.timeline(cid)
        )  # a preview sends nothing

        await page.get_by_role("button", name="Reply to the customer").click()
        await expect(page.get_by_role("status")).to_be_visible()

        async def sent() -> list[str] | None:
            said = [
                e.summary for e in await desk.api.timeline(cid) if e.kind is EntryKind.AGENT_MESSAGE
            ]
            return said or None

        assert await eventually(sent) == [REPLY]

        other = await (await browser.new_context(locale="en-US")).new_page()
        await sign_in(other, served, "agent-wang")
        await other.goto(f"{served.base}/cases/{cid}")
        csrf = await other.locator("input[name=csrf]").first.get_attribute("value")
        answer = await other.request.post(
            f"{served.base}/cases/{cid}/preview", form={"csrf": csrf or "", "text": "x"}
        )
        assert answer.status == 403
