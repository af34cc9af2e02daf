"""The special report after a major event (R-RP-2), for a staged event on the time-skipping
server: linked from the board with its 7-day due date, supervisors only, in both languages; it
counts the cases and customers, never names them; it carries the review's root cause and
measures, the deadlines and the compensation; and its PDF opens and says the same."""

from __future__ import annotations

import io
import os
from datetime import datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from playwright.async_api import Page, expect

import catalogue
from reports import pdf
from schemas import Stage
from tests.support.desk import ROOT, Desk, eventually
from tests.support.lifecycle import drive_to_close
from tests.support.web import chromium, serving, sign_in

POISONED = "孩子吃了你们的饼干后食物中毒，已经去医院了。"  # L1, high risk: a major event
PRODUCT = "BISCUIT-7"
CUSTOMERS = [
    {"name": "赵一鸣", "contact": {"phone": "+86 139 5555 0101"}, "account_id": "U-8101"},
    {"name": "钱二妹", "contact": {"email": "qian.er@example.com"}, "account_id": "U-8102"},
    {"name": "Sun Sanli", "contact": {"phone": "+86 139 5555 0103"}, "account_id": "U-8103"},
]
PERSONAL = [
    "赵一鸣",
    "钱二妹",
    "Sun Sanli",
    "5555",
    "qian.er@example.com",
    "U-810",
    POISONED,
]
FINDINGS = "第7批次包装密封不良，运输中受潮变质。"
MEASURES = "召回第7批次；更换包装供应商；出厂抽检比例提高到5%。"
SHOTS = ROOT / "docs" / "screenshots"


async def staged_event(desk: Desk) -> str:
    """Three complaints about one product's poisoning: the first closes (its review opens and
    the quality team records findings), the second closes too, the third is still open."""
    cases = [
        await desk.open(description=POISONED, product=PRODUCT, customer=c, subject="饼干食物中毒")
        for c in CUSTOMERS
    ]
    for cid in cases[:2]:
        await drive_to_close(desk, cid)
        await desk.api.reply(cid, {"text": "解决了", "intent": "confirm_resolved"})
        await desk.until(cid, lambda s: s.stage in _AFTER)
    event = cases[0]

    async def review_stored() -> bool | None:
        async with desk.pool.acquire() as connection:
            n = await connection.fetchval(
                "SELECT count(*) FROM reviews WHERE complaint_id = $1", event
            )
        return True if n else None

    await eventually(review_stored, 30)
    return event


async def review_done(desk: Desk, event: str) -> None:
    """The quality team records the root cause and the measures."""
    await desk.api.complete_review(
        event, {"by": "qa-li", "findings": FINDINGS, "measures": MEASURES}
    )

    async def stored() -> bool | None:
        async with desk.pool.acquire() as connection:
            done = await connection.fetchval(
                "SELECT done_at FROM reviews WHERE complaint_id = $1", event
            )
            known = await connection.fetchval(
                "SELECT count(*) FROM complaints WHERE product = $1 AND category IS NOT NULL",
                PRODUCT,
            )
        return True if done and known == len(CUSTOMERS) else None

    await eventually(stored, 30)


_AFTER = frozenset({Stage.FOLLOW_UP, Stage.DONE})


async def opened_report(page: Page, base: str, event: str, lang: str) -> str:
    await page.goto(f"{base}/lang/{lang}?next=/board")
    section = page.locator("#reviews")
    await expect(section.locator(f"li[data-case='{event}']")).to_be_visible()
    await section.locator(f"li[data-case='{event}']").get_by_role("link").nth(1).click()
    await expect(page).to_have_url(f"{base}/board/reviews/{event}/0")
    return await page.content()


@pytest.mark.skipif(pdf.browser() is None, reason="no Chromium on this machine")
async def test_the_special_report_of_a_staged_major_event(desk: Desk, tmp_path: Path) -> None:
    event = await staged_event(desk)
    async with serving(desk, tmp_path) as served, chromium() as browser:
        context = await browser.new_context(viewport={"width": 1100, "height": 900})
        page = await context.new_page()
        await page.goto(served.base + "/lang/en?next=/signin")
        await sign_in(page, served, "sup-li")
        await page.goto(served.base + "/board")
        listed = page.locator(f"#reviews li[data-case='{event}']")
        due = catalogue.moment(await _due(desk, event), "en")
        await expect(listed).to_contain_text(f"report due {due}")  # 7 days after the event
        if os.environ.get("WEB_SCREENSHOTS"):
            await page.locator("#reviews").screenshot(path=str(SHOTS / "special-report-board.png"))
        await opened_report(page, served.base, event, "en")
        await expect(page.locator("body")).to_contain_text("Not recorded yet")

        await review_done(desk, event)
        await page.goto(served.base + "/board")
        await expect(listed).to_contain_text("review done")

        html = await opened_report(page, served.base, event, "en")
        await expect(page.locator("#counts")).to_have_text(
            "3 complaints from 3 customers; 1 still open"
        )
        await expect(page.locator("body")).to_contain_text(FINDINGS)
        await expect(page.locator("body")).to_contain_text(MEASURES)
        await expect(page.locator("#compensation")).to_have_text(
            "CNY 100.00 offered in 2 complaints"
        )
        await expect(page.locator(".generated")).to_contain_text("Generated")
        await expect(page.locator("body")).to_contain_text("Major-event review asked for")
        for said in PERSONAL:
            assert said not in html, said
        if os.environ.get("WEB_SCREENSHOTS"):
            await page.screenshot(path=str(SHOTS / "special-report-en.png"), full_page=True)

        html = await opened_report(page, served.base, event, "zh")
        await expect(page.locator("#counts")).to_have_text("3 位客户的 3 件投诉；1 件仍在处理")
        await expect(page.locator("#compensation")).to_have_text("2 件投诉共提出赔偿 ¥100.00")
        for said in PERSONAL:
            assert said not in html, said
        if os.environ.get("WEB_SCREENSHOTS"):
            await page.screenshot(path=str(SHOTS / "special-report-zh.png"), full_page=True)

        for lang, counted in (("zh", "3 位客户的 3 件投诉"), ("en", "3 complaints from 3")):
            await page.goto(f"{served.base}/lang/{lang}?next=/board")
            answer = await page.request.get(f"{served.base}/board/reviews/{event}/0/pdf")
            assert answer.status == 200
            assert answer.headers["content-type"] == "application/pdf"
            document = await answer.body()
            assert document.startswith(b"%PDF")
            text = _pdf_text(document)
            assert counted in text and FINDINGS[:8] in text
            for said in PERSONAL:
                assert said not in text, said
            if os.environ.get("WEB_SCREENSHOTS"):
                _first_page_png(document, SHOTS / f"special-report-pdf-{lang}.png")

        await sign_in_as_agent(page, served.base)
        answer = await page.request.get(f"{served.base}/board/reviews/{event}/0")
        assert answer.status == 403  # supervisors only


async def sign_in_as_agent(page: Page, base: str) -> None:
    await page.context.clear_cookies()
    await page.goto(base + "/lang/en?next=/signin")
    await page.get_by_label("User name").fill("agent-zhang")
    await page.get_by_label("Password").fill("agent-pass-1")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="My queue")).to_be_visible()


async def _due(desk: Desk, event: str) -> datetime:
    async with desk.pool.acquire() as connection:
        due: datetime = await connection.fetchval(
            "SELECT due_at FROM reviews WHERE complaint_id = $1", event
        )
    return due


def _pdf_text(document: bytes) -> str:
    pages = pdfium.PdfDocument(io.BytesIO(document))
    text = "".join(page.get_textpage().get_text_range() for page in pages)
    return text.replace("\r", "").replace("\n", "")


def _first_page_png(document: bytes, path: Path) -> None:
    page = pdfium.PdfDocument(io.BytesIO(document))[0]
    bitmap = page.render(scale=1.5)
    _write_png(path, bitmap.to_numpy(), bitmap.mode)


def _write_png(path: Path, pixels: object, mode: str) -> None:
    """A PNG from the rendered page's pixels, without an imaging library."""
    import struct
    import zlib

    import numpy as np

    array = np.asarray(pixels)
    if mode in ("BGR", "BGRA", "BGRX"):
        array = array[..., [2, 1, 0]]
    array = np.ascontiguousarray(array[..., :3], dtype=np.uint8)
    height, width = array.shape[:2]
    raw = b"".join(b"\x00" + array[y].tobytes() for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
