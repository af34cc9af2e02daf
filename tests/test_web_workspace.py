"""The agent's case page and the supervisor's board in a real Chromium: an e-mailed complaint
with the customer's words, contacts and history in view of its owner and masked for another
agent; the conversation apart from the audit trail and its filter; only the actions that fit;
a plan above an agent's authority said to wait for approval and decided from the board; and
every staff page, with every form open, read in Chinese and in English: no raw catalogue key,
no sentence of the other language, no raw ISO time."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import Page, expect

from reports.periods import ZONE
from schemas import Stage
from schemas.case_actions import ACTIONS, Delivery, Requires
from tests.support.desk import Desk, eventually
from tests.support.web import chromium, serving, shot, sign_in

LEAK = "新买的洗衣机漏水，地板都泡了，我去关开关的时候被电了一下，触电了！"


async def emailed(desk: Desk, **overrides: Any) -> str:
    """The complaint of issue 24: e-mailed, with everything an intake can carry."""
    now = await desk.now()
    fields: dict[str, Any] = {
        "channel": "email",
        "subject": "洗衣机漏水还漏电",
        "description": LEAK,
        "expected_resolution": "退货退款，并赔偿地板的损失",
        "declared_urgency": "high",
        "occurred_at": (now - timedelta(days=1)).isoformat(),
        "occurred_place": "北京市朝阳区家中",
        "evidence": [{"ref": "mail://attachments/leak-floor.jpg", "note": "地板照片"}],
        **overrides,
    }
    return await desk.open(**fields)


async def in_store(desk: Desk, *complaint_ids: str) -> None:
    """The case store has the cases (their projections land a moment after intake)."""

    async def landed() -> bool | None:
        n = await desk.pool.fetchval(
            "SELECT count(*) FROM complaints WHERE complaint_id = ANY($1::text[])",
            list(complaint_ids),
        )
        return True if n == len(complaint_ids) else None

    await eventually(landed, 15)


async def act(page: Page, action: str, fields: dict[str, str]) -> None:
    await page.locator("#actions summary", has_text=action).click()
    form = page.locator("details[open] form")
    for label, value in fields.items():
        await form.get_by_label(label, exact=True).fill(value)
    await form.get_by_role("button", name=action).click()


async def test_the_case_page_shows_the_complaint_the_customer_and_what_fits(
    desk: Desk, tmp_path: Path
) -> None:
    earlier = await desk.open(subject="洗衣机噪音大", description="洗衣机转起来噪音很大。")
    cid = await emailed(desk)
    await in_store(desk, earlier, cid)
    async with serving(desk, tmp_path) as served, chromium() as browser:
        staff = await browser.new_context(locale="en-US", viewport={"width": 1360, "height": 900})
        page = await staff.new_page()
        await sign_in(page, served, "agent-zhang")
        await page.goto(f"{served.base}/cases/{cid}")

        complaint = page.get_by_role("region", name="The complaint")
        for said in (LEAK, "退货退款", "北京市朝阳区家中", "leak-floor.jpg", "地板照片", "high"):
            await expect(complaint).to_contain_text(said)
        customer = page.get_by_role("region", name="The customer")
        for said in ("王小明", "+86 138 0000 0000", "U-42"):
            await expect(customer).to_contain_text(said)
        history = customer.locator("table.history tbody tr")
        await expect(history).to_have_count(1)
        await expect(history.first).to_contain_text(earlier)
        await expect(history.first).to_contain_text("repeat")  # same product, weeks apart

        grade = page.get_by_role("region", name="Grade and its reasons")
        await expect(grade.locator("#grade-why")).to_contain_text("safety")
        await expect(grade.locator("details.grade-details code").first).to_be_hidden()

        offered = page.locator("#actions summary")
        await expect(offered).to_have_text(
            [
                "Reply to the customer",
                "Add a finding",
                "Propose a plan",
                "Confirm the grade",
                "Correct the grade",
                "Open a department task",
            ]
        )
        kinds = await page.locator("table.deadlines tbody tr td:first-child").all_inner_texts()
        assert kinds and len(kinds) == len(set(kinds))  # one row per deadline

        await act(page, "Reply to the customer", {"Message *": "非常抱歉，我们马上安排上门。"})
        await expect(page.get_by_role("status")).to_contain_text("the case accepted it")
        await desk.api.act(cid, "reply", {"text": "地板都泡坏了，快点！", "channel": "wechat"})

        async def customer_wrote() -> bool | None:
            await page.goto(f"{served.base}/cases/{cid}")
            return True if await page.locator("li.from-customer").count() else None

        await eventually(customer_wrote)
        messages = page.locator("#conversation li")
        texts = await messages.all_inner_texts()
        ours = next(i for i, t in enumerate(texts) if "非常抱歉" in t)
        theirs = next(i for i, t in enumerate(texts) if "地板都泡坏了" in t)
        assert ours < theirs  # oldest first
        await expect(page.locator("li.from-customer .badge.channel")).to_have_count(1)
        assert not [t for t in texts if "Deadline" in t]  # bookkeeping stays in the audit

        await page.get_by_label("Kind").select_option("deadline_set")
        await page.get_by_role("button", name="Apply").click()
        audit = page.locator("#audit li")
        await expect(audit.first).to_be_visible()
        assert set(await audit.evaluate_all("els => els.map(e => e.dataset.kind)")) == {
            "deadline_set"
        }
        await expect(page.locator("li.from-customer")).to_have_count(1)  # not filtered

        # A department task goes to someone picked from people and teams, and is completed by
        # picking it from the case's open tasks.
        await page.locator("#actions summary", has_text="Open a department task").click()
        form = page.locator("details[open] form")
        owners = form.get_by_label("Owner *").locator("option")
        assert {"agent-wang", "team-after-sales"} <= set(
            await owners.evaluate_all("os => os.map(o => o.value)")
        )
        await form.get_by_label("Department *").select_option("after_sales")
        await form.get_by_label("Owner *").select_option("team-after-sales")
        await form.get_by_label("Title *").fill("上门检查漏电")
        due = (await desk.now() + timedelta(days=1)).astimezone(ZONE)
        await form.get_by_label("Due at *").fill(due.strftime("%Y-%m-%dT%H:%M"))
        await form.get_by_role("button", name="Open a department task").click()
        await expect(page.get_by_role("status")).to_contain_text("the case accepted it")
        await page.locator("#actions summary", has_text="Complete a task").click()
        task = page.locator("details[open] form").get_by_label("Task number *")
        await expect(task.locator("option")).to_have_text(
            ["#1 after-sales · 上门检查漏电 · team-after-sales"]
        )

        await act(
            page, "Propose a plan", {"Summary *": "上门更换整机", "Compensation (yuan)": "800"}
        )
        await expect(page.get_by_role("status")).to_contain_text("supervisor's approval")
        await expect(page.locator("#actions summary", has_text="Approve")).to_have_count(0)

        other = await (await browser.new_context(locale="en-US")).new_page()
        await sign_in(other, served, "agent-wang")
        await other.goto(f"{served.base}/cases/{cid}")
        masked = other.get_by_role("region", name="The customer")
        await expect(masked.locator("#masked-note")).to_be_visible()
        for secret in ("王小明", "138 0000 0000", "U-42", earlier):
            await expect(masked).not_to_contain_text(secret)
        await expect(masked.locator("table.history")).to_have_count(0)


DECIDING = [
    a
    for a in ACTIONS
    if a.delivery is Delivery.UPDATE
    and (Requires.PLAN_AWAITS_APPROVAL in a.requires or "compensation" in a.handler)
]


async def test_plans_waiting_are_decided_from_the_board_beside_the_emergencies(
    desk: Desk, tmp_path: Path
) -> None:
    """Every action on a waiting plan (approve; reject once the table has it) from the board."""
    waiting = {}
    for n, action in enumerate(DECIDING):
        cid = await desk.open(subject=f"退款申请 {n}", customer=_someone(n))
        await desk.api.act(
            cid, "plan", {"agent": "agent-zhang", "summary": "全额退款", "compensation_yuan": "800"}
        )
        waiting[action.name] = cid
    urgent = await emailed(desk, customer=_someone(9))
    await in_store(desk, urgent, *waiting.values())

    async def listed() -> bool | None:
        n = await desk.pool.fetchval(
            "SELECT count(*) FROM complaint_events WHERE kind = 'approval_requested'"
        )
        return True if n >= len(waiting) else None

    await eventually(listed, 15)
    async with serving(desk, tmp_path) as served, chromium() as browser:
        page = await (await browser.new_context(locale="en-US")).new_page()
        await sign_in(page, served, "sup-li")
        await page.goto(served.base + "/board")
        emergencies = page.get_by_role("region", name="Emergencies")
        await expect(emergencies.get_by_role("link", name=urgent)).to_be_visible()
        for name, cid in waiting.items():
            item = page.locator(f"#approvals li[data-case='{cid}']")
            await expect(item).to_contain_text("全额退款")
            await expect(item).to_contain_text("800.00")
            decide = item.locator("details.decide").filter(
                has=page.locator(f"form[data-action='{name}']")
            )
            await decide.locator("summary").click()
            for field in await decide.locator("textarea[required], input[required]").all():
                await field.fill("按政策处理")
            await decide.get_by_role("button").click()
            await expect(page.get_by_role("status")).to_contain_text(cid)
            assert page.url.startswith(served.base + "/board")
            await desk.until(cid, lambda s: s.plan_awaiting_approval is None)


def _someone(n: int) -> dict[str, object]:
    return {
        "name": f"客户{n}",
        "contact": {"phone": f"+86 139 0000 000{n}"},
        "account_id": f"U-{n}",
    }


# A page's words, without a person's own (`.said`), the model's figures (`code`), what a form
# holds, or the link to the other language: every word left is the catalogue's.
_CATALOGUE_WORDS = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('.said, code, script, style, input, textarea, [lang]')
      .forEach(e => e.remove());
  return copy.textContent.replace(/\\s+/g, ' ');
}"""
RAW_KEY = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\b(?:staff|workspace|customer|kind|state)\.[a-z_.]+")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# On a Chinese page the only Latin letters are ids (C-…, agent-…, team-…, L1) and these.
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
ASCII_IN_CHINESE = {"JSON", "KPI", "VIP"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


async def read(page: Page, url: str, lang: str) -> list[str]:
    """What is wrong with the page at `url` read in `lang`, every form opened."""
    await page.goto(url)
    await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    text: str = await page.evaluate(_CATALOGUE_WORDS)
    wrong = [f"raw key {m}" for m in RAW_KEY.findall(text)]
    wrong += [f"raw time {m}" for m in ISO_TIME.findall(text)]
    if lang == "zh":
        words = {w for w in TOKEN.findall(text) if w.isalpha()} - ASCII_IN_CHINESE
        wrong += [f"English: {w}" for w in sorted(words)]
    else:
        wrong += [f"Chinese: {m}" for m in CHINESE.findall(text)]
    return [f"{url} [{lang}]: {w}" for w in wrong]


# docs/screenshots/staff-<page>-<lang>.png (`WEB_SCREENSHOTS=1`): whose view of which page.
SHOTS = {("agent-zhang", "queue"), ("agent-zhang", "case"), ("sup-li", "board")}


async def test_every_staff_page_and_form_reads_in_one_language(desk: Desk, tmp_path: Path) -> None:
    earlier = await desk.open(subject="洗衣机噪音大", description="洗衣机转起来噪音很大。")
    cid = await emailed(desk)
    await desk.api.act(cid, "respond", {"agent": "agent-zhang", "text": "非常抱歉。"})
    await desk.api.act(cid, "reply", {"text": "地板都泡坏了", "channel": "wechat"})
    due = await desk.now() + timedelta(hours=4)
    await desk.api.act(
        cid,
        "task-open",
        {
            "by": "agent-zhang",
            "department": "after_sales",
            "owner": "agent-wang",
            "title": "上门检查漏电",
            "due_at": due.isoformat(),
        },
    )
    costly = await desk.open(subject="退款申请", customer=_someone(1))
    await desk.api.act(
        costly, "plan", {"agent": "agent-zhang", "summary": "全额退款", "compensation_yuan": "800"}
    )
    team = await desk.open(subject="快递丢件", customer=_someone(2), receiver=None)
    await desk.until(costly, lambda s: s.stage is Stage.INVESTIGATE)
    await in_store(desk, earlier, cid, costly, team)

    wrong: list[str] = []
    async with serving(desk, tmp_path) as served, chromium() as browser:
        for username, pages in (
            ("agent-zhang", ["/queue", f"/cases/{cid}", f"/cases/{team}"]),
            ("sup-li", ["/queue", "/board", f"/cases/{costly}", f"/cases/{cid}?kind=task_opened"]),
        ):
            context = await browser.new_context(viewport={"width": 1360, "height": 900})
            page = await context.new_page()
            await page.goto(served.base + "/lang/en?next=/signin")
            await sign_in(page, served, username)
            for lang in ("en", "zh"):
                await page.goto(f"{served.base}/lang/{lang}?next=/queue")
                for path in pages:
                    wrong += await read(page, served.base + path, lang)
                    shown = {"/queue": "queue", "/board": "board", f"/cases/{cid}": "case"}
                    if (username, shown.get(path)) in SHOTS:
                        await page.evaluate(
                            "document.querySelectorAll('details').forEach(d => d.open = false)"
                        )
                        await shot(page, f"screenshots/staff-{shown[path]}-{lang}")
            await context.close()
    assert wrong == []
