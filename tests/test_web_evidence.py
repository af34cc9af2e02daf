"""Evidence and canned replies in a real Chromium, with e-mail in on a real SMTP listener and the
store in a real PostgreSQL: a photo mailed with a complaint is kept (what is not kept is listed
with why), previewed and opened by the agent who took the case and refused to another agent;
the customer sees and uploads files through their link, within the limits; the files of a
customer's answer land on the case it answers; an agent inserts a canned reply filled with the
case's facts and sends it; a supervisor keeps the canned replies."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

from playwright.async_api import Page, expect
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool
from configuration.settings import Settings
from schemas import EntryKind, Stage
from tests.support.desk import Desk, eventually
from tests.support.evidence import HTML, PDF, PNG
from tests.support.gateways import email_customer
from tests.support.mail import CUSTOMER, mail, mail_desk, send
from tests.support.web import Served, chromium, serving, settings_for, shot, sign_in

LIMIT = 4096  # EVIDENCE_MAX_BYTES for these tests: a photo fits, a larger file does not


async def _rows(pool: Pool, cid: str) -> list[tuple[str, str | None]]:
    async with pool.acquire() as connection:
        found = await connection.fetch(
            "SELECT file_name, not_kept FROM evidence_files WHERE complaint_id = $1 "
            "ORDER BY added_at, file_name",
            cid,
        )
    return [(r["file_name"], r["not_kept"]) for r in found]


async def _upload(page: Page, name: str, mime: str, data: bytes, button: str) -> None:
    section = page.locator("#evidence")
    await section.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )
    await section.get_by_role("button", name=button).click()


async def test_a_mailed_photo_is_opened_by_its_agent_refused_to_another_and_shown_to_its_customer(
    env: WorkflowEnvironment, pool: Pool, tmp_path: Path
) -> None:
    settings: Settings = settings_for(tmp_path).model_copy(update={"evidence_max_bytes": LIMIT})
    async with mail_desk(env, pool, settings=settings) as (desk, _, port):
        complaint = mail(f"李华 <{CUSTOMER}>", "洗衣机漏电", "洗衣机漏水，还被电了一下，照片附上。")
        complaint.add_attachment(PNG, "image", "png", filename="漏水.png")
        complaint.add_attachment(HTML, "image", "png", filename="photo2.png")  # a page, not a photo
        complaint.add_attachment(b"MZ\x90\x00" * 8, "application", "octet-stream", filename="a.exe")
        complaint.set_boundary("=-evidence-test-=")  # the same bytes when it is sent again
        answer = await send(port, complaint)
        assert " opened E-" in answer
        cid = answer.rsplit(" ", 1)[1]
        assert await _rows(pool, cid) == [  # in the mail's order
            ("漏水.png", None),
            ("photo2.png", "type_not_allowed"),
            ("a.exe", "type_not_allowed"),
        ]
        assert (await send(port, complaint)).endswith(f"repeat {cid}")  # delivered again
        assert len(await _rows(pool, cid)) == 3  # the same files, once
        await desk.until(cid, lambda s: s.stage is Stage.INVESTIGATE)
        await desk.api.act(cid, "take", {"by": "agent-zhang"})

        async with (
            serving(desk, tmp_path, evidence_max_bytes=LIMIT) as served,
            chromium() as browser,
        ):
            agent = await (await browser.new_context(locale="en-US")).new_page()
            await sign_in(agent, served, "agent-zhang")
            await agent.goto(f"{served.base}/cases/{cid}")
            evidence = agent.locator("#evidence")
            photo = evidence.get_by_role("img", name="漏水.png")
            await expect(photo).to_be_visible()
            assert await photo.evaluate("img => img.naturalWidth") == 160  # previewed: it loaded
            await expect(evidence.get_by_text("files of this type are not accepted")).to_have_count(
                2
            )
            href = await evidence.get_by_role(
                "link", name="漏水.png", exact=True
            ).last.get_attribute("href")
            assert href is not None and "漏水" not in href  # names stay out of URLs
            opened = await agent.request.get(served.base + href)
            assert opened.status == 200 and await opened.body() == PNG
            assert opened.headers["content-type"] == "image/png"
            assert opened.headers["x-content-type-options"] == "nosniff"
            assert opened.headers["content-disposition"].startswith("inline;")
            await shot(agent, "web-evidence-case")

            other = await (await browser.new_context(locale="en-US")).new_page()
            await sign_in(other, served, "agent-wang")
            refused = await other.request.get(served.base + href)
            assert refused.status == 403 and await refused.body() != PNG
            await other.goto(f"{served.base}/cases/{cid}")
            await expect(other.locator("#evidence")).not_to_contain_text("漏水.png")
            await expect(other.locator("#evidence")).to_contain_text("shown to its staff only")

            customer = await (await browser.new_context(locale="zh-CN")).new_page()
            await customer.goto(await served.link(cid))
            await _customer_uploads(served, customer)
            await _staff_upload_stays_with_staff(agent, served, cid, pool)


async def _customer_uploads(served: Served, customer: Page) -> None:
    link = customer.url
    cid_files = customer.locator("#evidence")
    await expect(cid_files.get_by_text("漏水.png", exact=True)).to_be_visible()
    await expect(cid_files).to_contain_text("未保存：不接受此类型的文件")  # nothing vanished
    await expect(cid_files).to_contain_text("来自您的邮件")

    await _upload(customer, "发票.pdf", "application/pdf", PDF, "上传")
    await expect(customer.get_by_role("status")).to_contain_text("谢谢")
    invoice = customer.locator("#evidence").get_by_role("link", name="发票.pdf")
    await expect(invoice).to_be_visible()
    await shot(customer, "web-evidence-customer-zh")
    got = await customer.request.get(served.base + str(await invoice.get_attribute("href")))
    assert got.status == 200 and await got.body() == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")

    await customer.goto(link)
    await _upload(customer, "大文件.txt", "text/plain", b"a" * (LIMIT + 1), "上传")
    await expect(customer.get_by_role("alert")).to_contain_text("大文件.txt 未被接受：文件过大")
    await customer.goto(link)
    await _upload(customer, "图.jpg", "image/jpeg", HTML, "上传")
    await expect(customer.get_by_role("alert")).to_contain_text("不接受此类型的文件")
    await customer.goto(link)
    await expect(customer.locator("#evidence")).not_to_contain_text("大文件.txt")
    await expect(customer.locator("#evidence")).not_to_contain_text("图.jpg")


async def _staff_upload_stays_with_staff(agent: Page, served: Served, cid: str, pool: Pool) -> None:
    await agent.goto(f"{served.base}/cases/{cid}")
    await _upload(agent, "检测报告.pdf", "application/pdf", PDF + b"%report", "Upload")
    await expect(agent.locator("#evidence")).to_contain_text("uploaded by staff")
    kept = await _rows(pool, cid)
    assert ("检测报告.pdf", None) in kept and ("发票.pdf", None) in kept
    assert ("大文件.txt", "too_large") not in kept  # a refused upload stores nothing


async def test_an_agent_inserts_a_canned_reply_filled_for_the_case_and_sends_it(
    desk: Desk, tmp_path: Path
) -> None:
    cid = await desk.open()  # 王小明, in Chinese
    anonymous = await desk.open(customer={"anonymous": True})
    async with serving(desk, tmp_path) as served, chromium() as browser:
        agent = await (await browser.new_context(locale="en-US")).new_page()
        await sign_in(agent, served, "agent-zhang")
        await agent.goto(f"{served.base}/cases/{cid}")
        await agent.get_by_label("Canned reply").select_option(label="Still on it")
        await agent.get_by_role("button", name="Insert").click()
        text = agent.locator("#act-respond textarea[name=text]")
        await expect(text).to_be_visible()  # its form opened
        await expect(text).to_have_value(re.compile(r"^王小明，"))
        filled = await text.input_value()
        await shot(agent, "web-canned-inserted")
        assert filled.startswith(f"王小明，感谢您的耐心等待。我们仍在跟进您的问题（{cid}）")
        assert "{" not in filled and "月" in filled  # the promised time, written out
        await (
            agent.locator("#act-respond form")
            .get_by_role("button", name="Reply to the customer")
            .click()
        )
        await expect(agent.get_by_role("status")).to_contain_text("the case accepted it")

        async def sent() -> list[str] | None:
            said = [
                e.summary for e in await desk.api.timeline(cid) if e.kind is EntryKind.AGENT_MESSAGE
            ]
            return said or None

        assert filled in (await eventually(sent))[0]

        # a case without what the reply names: refused with the missing fact, nothing filled
        await agent.goto(f"{served.base}/cases/{anonymous}")
        await agent.get_by_label("Canned reply").select_option(label="Still on it")
        await agent.get_by_role("button", name="Insert").click()
        await expect(agent.get_by_role("alert").first).to_contain_text("{customer_name}")
        assert await agent.locator("#act-respond textarea[name=text]").input_value() == ""
        # without the script: the filled reply form on a page of its own
        plain = await agent.request.get(f"{served.base}/cases/{cid}/canned?name=on-it")
        assert plain.status == 200 and cid in await plain.text()

        # supervisors keep the texts; an agent may not
        assert (await agent.request.get(f"{served.base}/canned")).status == 403
        supervisor = await (await browser.new_context(locale="en-US")).new_page()
        await sign_in(supervisor, served, "sup-li")
        await supervisor.goto(f"{served.base}/canned")
        new = supervisor.locator("form").filter(has=supervisor.locator("#new-name"))
        await new.get_by_label("Name (lower-case letters, digits, - and _)").fill("order")
        await new.get_by_label("Title").fill("订单号")
        await new.get_by_label("Text").fill("您的订单 {order_no} 已处理。")
        await new.get_by_role("button", name="Save").click()
        await expect(supervisor.get_by_role("alert")).to_contain_text("{order_no}")
        await expect(supervisor.locator("h2", has_text="order · zh")).to_have_count(0)
        new = supervisor.locator("form").filter(has=supervisor.locator("#new-name"))
        await new.get_by_label("Name (lower-case letters, digits, - and _)").fill("order")
        await new.get_by_label("Title").fill("订单已处理")
        await new.get_by_label("Text").fill("您的投诉 {complaint_id} 涉及的订单已处理。")
        await new.get_by_role("button", name="Save").click()
        await expect(supervisor.get_by_role("status")).to_contain_text("Saved.")
        await shot(supervisor, "web-canned")
        await expect(supervisor.locator("h2", has_text="order · zh")).to_have_count(1)


async def test_the_files_of_a_customers_answer_land_on_the_case_it_answers(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    async with mail_desk(env, pool) as (desk, outgoing, port):
        cid = await desk.open(customer=email_customer(CUSTOMER), channel="email")
        receipt = await eventually(lambda: _first(outgoing.to(CUSTOMER)))
        answer = mail(
            CUSTOMER,
            f"Re: {receipt['Subject']}",
            "发票和照片在附件里。",
            to=str(receipt["Reply-To"]),
            In_Reply_To=str(receipt["Message-ID"]),
        )
        answer.add_attachment(PDF, "application", "pdf", filename="发票.pdf")
        answer.add_attachment(
            PNG, "application", "octet-stream", filename="IMG_0412"
        )  # unnamed type
        assert (await send(port, answer)).endswith(f"replied {cid}")
        assert await _rows(pool, cid) == [("发票.pdf", None), ("IMG_0412", None)]

        async def recorded() -> list[str] | None:
            found = [
                e.facts["content_type"]
                for e in await desk.api.timeline(cid)
                if e.kind is EntryKind.EVIDENCE_ADDED
            ]
            return found if len(found) == 2 else None

        assert await eventually(recorded) == ["application/pdf", "image/png"]  # as the bytes say


async def _first(found: list[EmailMessage]) -> EmailMessage | None:
    return found[0] if found else None
