"""The agent's queue and the supervisor's board in a real Chromium, read from the case store:
late cases first, filters, countdowns, the page reloading itself when a case arrives; breaches,
approvals waiting and overdue tasks on the board, which an agent may not open."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from playwright.async_api import expect

from case_store import queue
from tests.support.desk import Desk, eventually
from tests.support.web import chromium, serving, shot, sign_in

FOOD = "孩子吃了你们的饼干后食物中毒，已经去医院了。"
IDEA = "建议App增加夜间模式，晚上看太亮了。"


def someone(n: int) -> dict[str, object]:
    """Customers of their own: one customer's repeated complaints would raise the grade."""
    return {
        "name": f"客户{n}",
        "contact": {"phone": f"+86 139 0000 000{n}"},
        "account_id": f"U-{n}",
    }


async def test_queue_and_board_show_what_needs_attention(desk: Desk, tmp_path: Path) -> None:
    await desk.skip_to_hour(9)  # the breach below is "today" on the board, whenever this runs
    urgent = await desk.open(description=FOOD, subject="饼干食物中毒", customer=someone(1))
    costly = await desk.open(subject="洗衣机漏水要求退款", customer=someone(2))
    idea = await desk.open(
        description=IDEA, subject="夜间模式建议", customer=someone(3), product="App"
    )
    waiting = await desk.open(subject="快递丢件", customer=someone(4), product="WM-300")
    await desk.api.propose_plan(
        costly, {"agent": "agent-zhang", "summary": "全额退款", "compensation_yuan": "500"}
    )
    due = await desk.now() + timedelta(minutes=30)
    await desk.api.open_task(
        waiting,
        {
            "by": "agent-zhang",
            "department": "logistics",
            "owner": "wl-chen",
            "title": "查询物流轨迹",
            "due_at": due.isoformat(),
        },
    )
    await desk.skip(timedelta(minutes=90))  # the L1 answer is late, the task overdue

    async def ready() -> queue.Board | None:
        async with desk.pool.acquire() as connection:
            board = await queue.board(connection, await desk.now())
        seen = board.breaches_today and board.approvals_waiting and board.overdue_tasks
        return board if seen else None

    await eventually(ready)
    async with serving(desk, tmp_path) as served, chromium() as browser:
        context = await browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 860})
        page = await context.new_page()
        await page.goto(served.base + "/lang/en?next=/signin")
        await sign_in(page, served, "agent-zhang")
        rows = page.locator("table.queue tbody tr")
        await expect(rows).to_have_count(4)
        await expect(rows.first).to_contain_text(urgent)
        await expect(rows.first).to_have_class("overdue sev-L1")
        await expect(rows.first).to_contain_text("breached")
        await expect(rows.first.locator("time.countdown")).to_have_text(re.compile(r"^\d+h \d+m$"))
        assert (await page.get_by_role("link", name="Supervisor board").count()) == 0
        assert (await page.goto(served.base + "/board")).status == 403  # type: ignore[union-attr]

        await page.goto(served.base + "/queue")
        await page.get_by_label("Severity").select_option("L3")
        await page.get_by_role("button", name="Apply").click()
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text(idea)
        await page.get_by_label("Severity").select_option("")
        await page.get_by_label("Waiting on").select_option("department")
        await page.get_by_role("button", name="Apply").click()
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text(waiting)

        await page.goto(served.base + "/queue")
        await expect(rows).to_have_count(4)
        late = await desk.open(subject="新来的投诉", customer=someone(5), product="TV-1")
        await expect(page.get_by_role("link", name=late)).to_be_visible(timeout=15_000)  # by itself

        await page.goto(served.base + "/lang/zh?next=/queue")
        await expect(page.locator("table.queue tbody tr")).to_have_count(5)
        await shot(page, "web-queue")

        supervisor = await browser.new_context(
            locale="zh-CN", viewport={"width": 1360, "height": 900}
        )
        board = await supervisor.new_page()
        await board.goto(served.base + "/lang/en?next=/signin")
        await sign_in(board, served, "sup-li")
        await board.get_by_role("link", name="Supervisor board").click()
        approvals = board.get_by_role("region", name="Approvals waiting")
        await expect(approvals.get_by_role("link", name=costly)).to_be_visible()
        breaches = board.get_by_role("region", name="Breaches today")
        await expect(breaches.get_by_role("link", name=urgent).first).to_be_visible()
        tasks = board.get_by_role("region", name="Overdue department tasks")
        await expect(tasks.get_by_role("link", name=waiting)).to_be_visible()
        await expect(board.locator(".charts svg")).to_have_count(2)
        await board.goto(served.base + "/lang/zh?next=/board")
        await expect(board.get_by_role("heading", name="主管看板")).to_be_visible()
        await shot(board, "web-board")
