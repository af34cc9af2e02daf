"""The customer's progress page in a real Chromium, through a whole case: received → plan →
accepted → result → confirmed → follow-up survey → closed. At every step every text on the
page is read in Chinese and in English and must hold nothing internal (a stage code, an agent
id, the operators' English, a raw ISO time) and nothing in the other language; the layout is
checked at phone and desktop size (no sideways scroll, tap targets of 44 px, labels with their
controls). `WEB_SCREENSHOTS=1` refreshes docs/screenshots/progress-*.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Page, ViewportSize, expect

from catalogue import render
from schemas import Outcome, Stage
from tests.support.customer_words import unfit
from tests.support.desk import Desk
from tests.support.web import Served, chromium, serving, shot

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
# What people wrote in this case: shown as written, whatever the page's language.
WRITTEN = [
    "洗衣机问题",
    "非常抱歉，我们马上处理。",
    "上门更换洗衣机",
    "已更换新机，请您试用。",
    "师傅很专业",
    "我接受这个方案。",
    "我的问题已解决。",
]

# Every text a reader meets: the page's text, its title, and the words of its controls.
READ = """() => [document.title, document.body.innerText,
  ...[...document.querySelectorAll('[aria-label],[placeholder],[title]')].map(e =>
     [e.getAttribute('aria-label'), e.getAttribute('placeholder'), e.getAttribute('title')]
     .filter(Boolean).join(' '))]"""

# Layout faults a phone reader would meet, found in the page: [what, element] pairs.
LAYOUT = """() => {
  const faults = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth) faults.push(['sideways scroll', doc.scrollWidth]);
  const visible = e => { const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0 && r.left < doc.clientWidth; };
  for (const e of document.querySelectorAll('a, button, textarea, select, input:not([type=hidden])')) {
    if (!visible(e)) continue;
    const target = e.type === 'radio' || e.type === 'checkbox' ? e.closest('label') : e;
    if (!target) { faults.push(['control without its label around it', e.name]); continue; }
    const r = target.getBoundingClientRect();
    if (r.height < 44 || r.width < 44) faults.push(['tap target under 44 px', target.outerHTML.slice(0, 80)]);
    if (r.right > doc.clientWidth + 1) faults.push(['off screen', target.outerHTML.slice(0, 80)]);
  }
  for (const label of document.querySelectorAll('label[for]')) {
    const control = document.getElementById(label.htmlFor);
    if (!control || !visible(control)) continue;
    const l = label.getBoundingClientRect(), c = control.getBoundingClientRect();
    if (c.top - l.bottom > 12 || c.top < l.top || Math.abs(c.left - l.left) > 24)
      faults.push(['label away from its control', label.htmlFor]);
  }
  for (const radio of document.querySelectorAll('input[type=radio]')) {
    const r = radio.getBoundingClientRect(), l = radio.closest('label').getBoundingClientRect();
    const word = radio.closest('label').querySelector('span').getBoundingClientRect();
    if (r.left < l.left || r.right > l.right || word.top - r.bottom > 8 || Math.abs(
        (word.left + word.right) / 2 - (r.left + r.right) / 2) > l.width / 2)
      faults.push(['radio away from its label', radio.name + radio.value]);
  }
  return faults;
}"""


async def read(page: Page, lang: str) -> None:
    """Every text on the page fits a customer reading `lang`."""
    texts: list[str] = await page.evaluate(READ)
    lines = [line.strip() for text in texts for line in text.splitlines() if line.strip()]
    assert unfit(lines, lang, WRITTEN) == [], (lang, page.url)


async def laid_out(context: BrowserContext, link: str, name: str) -> None:
    """The page at phone and desktop size: no layout faults."""
    page = await context.new_page()
    for size in (PHONE, DESKTOP):
        await page.set_viewport_size(size)
        await page.goto(link)
        assert await page.evaluate(LAYOUT) == [], size
    if name == "6-survey":
        await shot(page, f"screenshots/progress-{name}-desktop")
    await page.close()


async def look(customer: BrowserContext, served: Served, link: str, name: str) -> Page:
    """The page now, read in both languages (Chinese last: the customer's own)."""
    page = await customer.new_page()
    for lang in ("en", "zh"):
        await customer.add_cookies([{"name": "lang", "value": lang, "url": served.base}])
        await page.goto(link)
        await expect(page.locator("html")).to_have_attribute(
            "lang", "zh-CN" if lang == "zh" else "en"
        )
        await read(page, lang)
        if lang == "en" and name.endswith("plan"):
            await shot(page, f"screenshots/progress-{name}-en")
    await shot(page, f"screenshots/progress-{name}")
    await laid_out(customer, link, name)
    return page


async def test_the_progress_page_through_a_case_reads_as_the_customer_would(
    desk: Desk, tmp_path: Path
) -> None:
    cid = await desk.open()
    async with serving(desk, tmp_path) as served, chromium() as browser:
        customer = await browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
        link = await served.link(cid)

        page = await look(customer, served, link, "1-received")
        now = page.locator("ol.nodes li[aria-current=step]")
        await expect(now).to_contain_text("正在调查")
        await expect(now).to_contain_text("前答复您")  # the promised time of the first answer
        await expect(page.get_by_text("我们已收到您的投诉。")).to_be_visible()

        agent: dict[str, Any] = {"agent": "agent-zhang"}
        await desk.api.respond(cid, {**agent, "text": "非常抱歉，我们马上处理。"})
        await desk.api.propose_plan(
            cid, {**agent, "summary": "上门更换洗衣机", "compensation_yuan": "200"}
        )
        await desk.api.approve_compensation(cid, {"by": "sup-li"})  # above the agent's limit
        await desk.until(cid, lambda s: s.stage is Stage.RESOLVE)
        page = await look(customer, served, link, "2-plan")
        await expect(page.get_by_text("补偿：¥200.00")).to_be_visible()
        await page.get_by_role("button", name="接受方案", exact=True).click()
        await expect(page.get_by_role("status")).to_contain_text("谢谢")
        await desk.until(cid, lambda s: s.stage is Stage.TRACK)

        page = await look(customer, served, link, "3-accepted")
        await expect(page.locator("ol.nodes li[aria-current=step]")).to_contain_text("预计")
        await expect(page.get_by_text("我接受这个方案。")).to_be_visible()  # their words, shown

        await desk.api.record_progress(
            cid, {**agent, "note": "已更换新机，请您试用。", "completed": True}
        )
        await desk.until(cid, lambda s: s.stage is Stage.CLOSE)
        page = await look(customer, served, link, "4-result")
        await page.get_by_role("button", name="问题已解决", exact=True).click()
        await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP)

        page = await look(customer, served, link, "5-confirmed")
        await expect(page.get_by_role("group", name="处理结果")).to_have_count(0)  # not yet asked

        await desk.skip(timedelta(days=3, minutes=1))  # the survey goes out after closing
        await desk.until(cid, lambda s: s.survey_sent_at is not None)
        page = await look(customer, served, link, "6-survey")
        for question in ("处理结果", "服务态度", "处理时效"):
            await page.get_by_role("group", name=question).get_by_label("5 很好").check()
        await page.get_by_label(render("survey.question.suggestions", "zh")).fill("师傅很专业")
        await page.get_by_role("button", name="提交评价").click()
        await expect(page.get_by_role("status")).to_contain_text("谢谢")
        final = await desk.api.outcome(cid)
        assert final.outcome is Outcome.CLOSED_CONFIRMED and final.survey is not None
        assert final.survey.suggestions == "师傅很专业"

        page = await look(customer, served, link, "7-closed")
        await expect(page.get_by_text("您的投诉已结案，感谢您的评价。")).to_be_visible()


async def test_a_survey_left_unanswered_says_what_to_fill_in_the_customers_language(
    desk: Desk, tmp_path: Path
) -> None:
    """The browser checks required answers; a form sent without them (a script, an old
    browser) is refused in the customer's words and nothing reaches the case."""
    cid = await desk.open()
    await desk.api.propose_plan(cid, {"agent": "agent-zhang", "summary": "退款"})
    await desk.api.reply(cid, {"text": "好", "intent": "accept_plan"})
    await desk.api.record_progress(
        cid, {"agent": "agent-zhang", "note": "已退款", "completed": True}
    )
    await desk.api.reply(cid, {"text": "好", "intent": "confirm_resolved"})
    await desk.until(cid, lambda s: s.stage is Stage.FOLLOW_UP)
    await desk.skip(timedelta(days=3, minutes=1))
    await desk.until(cid, lambda s: s.survey_sent_at is not None)
    async with serving(desk, tmp_path) as served, chromium() as browser:
        customer = await browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
        page = await customer.new_page()
        await page.goto(await served.link(cid))
        await page.eval_on_selector("#h-survey + p + form", "f => f.noValidate = true")
        await page.get_by_role("group", name="处理结果").get_by_label("5 很好").check()
        await page.get_by_role("button", name="提交评价").click()
        alert = page.get_by_role("alert")
        attitude = render("survey.question.attitude", "zh")  # the survey's own question
        await expect(alert).to_contain_text(f"{attitude}：请选择 1 到 5 分")
        await read(page, "zh")
    snapshot = await desk.api.snapshot(cid)
    assert snapshot.survey is None and snapshot.stage is Stage.FOLLOW_UP
