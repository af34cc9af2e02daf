"""One complaint from intake to `closed_confirmed` through the web alone, in a real Chromium:
the agent signs in, answers and proposes a plan on the case page, the customer accepts it on
the progress page, the agent records the work done, the customer confirms and answers the
survey. Nothing personal appears in any URL the browser asked for or in any log line."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
import structlog
from playwright.async_api import Page, ViewportSize, expect

from schemas import Outcome, Stage
from tests.support.desk import Desk
from tests.support.web import chromium, serving, shot, sign_in

PHONE: ViewportSize = {"width": 390, "height": 844}
PERSONAL = ["王小明", "138 0000 0000", "+86", "U-42", "漏水", "非常抱歉", "上门更换", "已更换新机"]


async def act(page: Page, action: str, fields: dict[str, str], check: str | None = None) -> None:
    """Open one action's form on the case page by keyboard, fill it, send it, see it accepted."""
    summary = page.get_by_text(action, exact=True).first
    await summary.focus()
    await page.keyboard.press("Enter")
    form = page.locator("details[open] form")
    for label, value in fields.items():
        await form.get_by_label(label, exact=True).fill(value)
    if check:
        await form.get_by_label(check, exact=True).check()
    await form.get_by_role("button", name=action).click()
    await expect(page.get_by_role("status")).to_contain_text("the case accepted it")


async def test_a_case_from_intake_to_closed_confirmed_through_the_web(
    desk: Desk, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    cid = await desk.open()
    asked: list[str] = []
    with structlog.testing.capture_logs() as logged:
        async with serving(desk, tmp_path) as served, chromium() as browser:
            staff = await browser.new_context(
                locale="en-US", viewport={"width": 1360, "height": 900}
            )
            agent = await staff.new_page()
            agent.on("request", lambda r: asked.append(r.url))
            await sign_in(agent, served, "agent-zhang")
            # the projection lands a moment after intake: the queue reloads itself when it does
            await expect(agent.get_by_role("link", name=cid)).to_be_visible(timeout=15_000)
            await agent.get_by_role("link", name=cid).click()
            await expect(agent.get_by_role("heading", name=cid)).to_be_visible()

            await act(agent, "Reply to the customer", {"Message *": "非常抱歉，我们马上处理。"})
            await act(
                agent,
                "Propose a plan",
                {"Summary *": "上门更换洗衣机", "Compensation (yuan)": "50"},
            )
            await desk.until(cid, lambda s: s.stage is Stage.RESOLVE)
            await shot(agent, "web-case")

            people = await browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
            customer = await people.new_page()
            customer.on("request", lambda r: asked.append(r.url))
            link = await served.link(cid)
            await customer.goto(link)
            await expect(customer.locator("html")).to_have_attribute("lang", "zh-CN")
            await expect(customer.get_by_text("上门更换洗衣机").first).to_be_visible()
            await shot(customer, "web-customer-zh")
            await customer.get_by_role("button", name="接受方案", exact=True).click()
            await expect(customer.get_by_role("status")).to_contain_text("谢谢")
            await desk.until(cid, lambda s: s.stage is Stage.TRACK)

            await agent.reload()
            await act(
                agent, "Record progress", {"Note *": "已更换新机"}, check="The plan is carried out"
            )
            await desk.until(cid, lambda s: s.stage is Stage.CLOSE)

            await customer.goto(link)
            await customer.get_by_role("button", name="问题已解决", exact=True).click()
            await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP)

            await desk.skip(timedelta(days=3, minutes=1))  # the survey goes out 3 days later
            await desk.until(cid, lambda s: s.survey_sent_at is not None)
            await customer.goto(link)
            for question in ("处理结果", "服务态度", "处理时效"):
                group = customer.get_by_role("group", name=question)
                await group.get_by_label("5 很好").check()
            await customer.get_by_role("button", name="提交").first.click()
            final = await desk.api.outcome(cid)
            assert final.outcome is Outcome.CLOSED_CONFIRMED and final.survey is not None
            assert final.survey.result == 5

            # what the agent did is on the case as the agent, not as anyone a form named
            timeline = await desk.api.timeline(cid)
            assert {e.actor for e in timeline if e.kind.value == "agent_message"} == {"agent-zhang"}

    lines = [str(e) for e in logged] + [f"{r.getMessage()} {r.__dict__}" for r in caplog.records]
    assert any("web action" in line for line in lines)  # the workspace does log, without these:
    for word in PERSONAL:
        assert not [u for u in asked if word in u], word
        assert not [line for line in lines if word in line], word
