"""Issue #24's agent, end to end in a real Chromium: a complaint e-mailed with a photo lands in a
team queue; an agent takes it and reads the customer's words, contacts and their earlier
complaint on the case page; opens the mailed photo; inserts a canned reply, previews the letter
and sends it; proposes compensation above their authority, which a supervisor rejects from the
board with a reason; proposes again within it; and the case runs to its close as the customer
accepts and confirms."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, expect
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool
from schemas import Stage
from tests.support.desk import eventually
from tests.support.evidence import PNG
from tests.support.mail import CUSTOMER, mail, mail_desk, send
from tests.support.web import chromium, serving, settings_for, sign_in

SHOCK = "新买的洗衣机漏水，地板都泡了，我去关开关的时候被电了一下，麻了好几秒。"


async def act(page: Page, action: str, fields: dict[str, str]) -> None:
    await page.locator("#actions summary", has_text=action).click()
    form = page.locator("details[open] form")
    for label, value in fields.items():
        await form.get_by_label(label, exact=True).fill(value)
    await form.get_by_role("button", name=action).click()


async def test_an_agent_handles_an_emailed_complaint_from_the_team_queue_to_its_close(
    env: WorkflowEnvironment, pool: Pool, tmp_path: Path
) -> None:
    async with mail_desk(env, pool, settings=settings_for(tmp_path)) as (desk, _, port):
        earlier = await send(port, mail(f"李华 <{CUSTOMER}>", "洗衣机噪音大", "转起来噪音很大。"))
        first = earlier.rsplit(" ", 1)[1]
        complaint = mail(f"李华 <{CUSTOMER}>", "洗衣机漏水还漏电", SHOCK)
        complaint.add_attachment(PNG, "image", "png", filename="floor.png")
        cid = (await send(port, complaint)).rsplit(" ", 1)[1]
        await desk.until(cid, lambda s: s.stage is Stage.INVESTIGATE and s.team_owned)

        async def in_store() -> bool | None:
            n = await pool.fetchval(
                "SELECT count(*) FROM complaints WHERE complaint_id = ANY($1::text[])", [first, cid]
            )
            return True if n == 2 else None

        await eventually(in_store, 15)
        async with serving(desk, tmp_path) as served, chromium() as browser:
            agent = await (await browser.new_context(locale="en-US")).new_page()
            await sign_in(agent, served, "agent-zhang")
            await agent.goto(f"{served.base}/cases/{cid}")
            await act(agent, "Take this case", {})
            await expect(agent.get_by_role("status")).to_be_visible()
            await desk.until(cid, lambda s: s.owner == "agent-zhang")

            await agent.goto(f"{served.base}/cases/{cid}")
            await expect(agent.locator("main")).to_contain_text(SHOCK)  # what they wrote
            await expect(agent.locator("main")).to_contain_text(CUSTOMER)  # how to reach them
            await expect(agent.get_by_role("link", name=first)).to_be_visible()  # their history
            photo = agent.locator("#evidence").get_by_role("link", name="floor.png", exact=True)
            href = await photo.last.get_attribute("href")
            assert href is not None
            opened = await agent.request.get(served.base + href)
            assert opened.status == 200 and await opened.body() == PNG

            await agent.get_by_label("Canned reply").select_option(label="Still on it")
            await agent.get_by_role("button", name="Insert").click()
            reply = agent.locator("#act-respond textarea[name=text]")
            await expect(reply).not_to_have_value("")
            await (
                agent.locator("#act-respond form")
                .get_by_role("button", name="Preview the letter")
                .click()
            )
            letter = agent.frame_locator("iframe.letter").locator("body")
            await expect(letter).to_contain_text(cid)
            await agent.get_by_role("button", name="Reply to the customer").click()
            await expect(agent.get_by_role("status")).to_contain_text("the case accepted it")

            await act(
                agent, "Propose a plan", {"Summary *": "上门更换整机", "Compensation (yuan)": "800"}
            )
            await expect(agent.get_by_role("status")).to_contain_text("supervisor's approval")

            supervisor = await (await browser.new_context(locale="en-US")).new_page()
            await sign_in(supervisor, served, "sup-li")

            async def on_board() -> bool | None:
                await supervisor.goto(served.base + "/board")
                item = supervisor.locator(f"#approvals li[data-case='{cid}']")
                return True if await item.count() else None

            await eventually(on_board, 15)
            item = supervisor.locator(f"#approvals li[data-case='{cid}']")
            decide = item.locator("details.decide").filter(
                has=supervisor.locator("form[data-action='reject']")
            )
            await decide.locator("summary").click()
            await decide.locator("textarea[required], input[required]").first.fill("超出政策")
            await decide.get_by_role("button").click()
            await desk.until(cid, lambda s: s.plan_awaiting_approval is None and s.plan is None)

            await agent.goto(f"{served.base}/cases/{cid}")
            await act(
                agent, "Propose a plan", {"Summary *": "上门更换整机", "Compensation (yuan)": "50"}
            )
            await expect(agent.get_by_role("status")).to_contain_text("the case accepted it")
            await desk.api.reply(cid, {"text": "可以", "intent": "accept_plan"})
            await desk.until(cid, lambda s: s.stage is Stage.TRACK)
            await desk.api.record_progress(
                cid, {"agent": "agent-zhang", "note": "已更换新机", "completed": True}
            )
            await desk.api.reply(cid, {"text": "好了", "intent": "confirm_resolved"})
            await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP and s.closed_at is not None)
