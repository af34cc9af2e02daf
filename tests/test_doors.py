"""One rule, one answer, at every door (issue 22): the HTTP API, the staff pages, the customer's
progress page, the CLI and e-mail in all call `ComplaintDesk`, and each only says its answer in
its own terms. Before, each door decided for itself: the API refused a customer's message to an
ended case, the CLI refused it with a hint, e-mail in re-opened the case, and the progress page
signalled the ended case; only the API compared a repeat intake's body.

Every door here is the real thing: uvicorn serving the API and the pages over HTTP, the CLI as a
separate process, an SMTP conversation with the mail-in listener."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosmtplib
import httpx
import pytest
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    QueryWorkflowInput,
    SignalWorkflowInput,
    StartWorkflowInput,
    StartWorkflowUpdateInput,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateHandle,
)

from catalogue import render
from delivery.catcher import listen
from delivery.email_in import MailIn, MailInHandler, complaint_id_for, read
from delivery.letters import token
from delivery.quarantine import Quarantine
from desk.ports import free_port
from desk.service import ComplaintDesk, StartedCase
from tests.support.api import Api, running_api
from tests.support.cli import cli_against
from tests.support.desk import Desk, intake
from tests.support.gateways import SECRET as MAIL_SECRET
from tests.support.gateways import email_customer
from tests.support.mail import mail
from tests.support.web import STAFF, Served, serving

CUSTOMER = "li.hua@example.com"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Doors:
    desk: Desk
    api: Api
    web: Served
    home: Path
    mail_port: int
    received_at: datetime


@pytest.fixture
async def doors(desk: Desk, tmp_path: Path) -> AsyncIterator[Doors]:
    async with AsyncExitStack() as stack:
        api = await stack.enter_async_context(running_api(desk.api))
        web = await stack.enter_async_context(serving(desk, tmp_path / "web"))
        port = free_port()
        handler = MailInHandler(MailIn(desk.api, MAIL_SECRET), Quarantine(tmp_path / "quarantine"))
        server = await listen(handler, "127.0.0.1", port)
        try:
            yield Doors(desk, api, web, tmp_path, port, await desk.now())
        finally:
            server.close()
            await server.wait_closed()


async def ended_case(desk: Desk) -> str:
    """A case that has ended: merged into another, its run closed."""
    survivor = await desk.open(customer=email_customer(CUSTOMER))
    cid = await desk.open(customer=email_customer(CUSTOMER))
    await desk.api.act(cid, "merge", {"into": survivor, "by": "sup-li", "reason": "同一台洗衣机"})
    await desk.api.outcome(cid)
    return cid


@asynccontextmanager
async def signed_in(
    web: Served, username: str, lang: str = "en"
) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web.base, headers={"Accept-Language": lang}) as http:
        page = await http.get("/signin")
        [csrf] = CSRF.findall(page.text)[:1]
        answer = await http.post(
            "/signin", data={"csrf": csrf, "username": username, "password": STAFF[username][2]}
        )
        assert answer.status_code == 303, answer.text
        yield http


# A customer's message to a case that has ended: each door's answer, said in its own terms, as
# (the case that has the message now, the door's own words for it).
CustomerDoor = Callable[[Doors, str, str], Awaitable[tuple[str, str]]]


async def by_api(doors: Doors, cid: str, text: str) -> tuple[str, str]:
    answer = await doors.api.http.post(
        f"/v1/complaints/{cid}/reply", json={"text": text}, headers=doors.api.auth("store-desk")
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["created"] is True
    return answer.json()["complaint_id"], f"HTTP {answer.status_code}"


async def by_progress_page(doors: Doors, cid: str, text: str) -> tuple[str, str]:
    link = await doors.web.link(cid)
    async with httpx.AsyncClient(headers={"Accept-Language": "en"}) as http:
        page = await http.get(link)
        assert page.status_code == 200, page.text
        [csrf] = CSRF.findall(page.text)[:1]
        answer = await http.post(f"{link}/reply", data={"csrf": csrf, "text": text})
        assert answer.status_code == 303, answer.text
        shown = await http.get(doors.web.base + answer.headers["location"])
    assert render("progress.followup_opened", "en") in shown.text
    return f"{cid}-R1", "the page says a new case was opened"


async def by_cli(doors: Doors, cid: str, text: str) -> tuple[str, str]:
    code, out, err = await cli_against(doors.desk, doors.home, "reply", cid, text)
    assert code == 0, err
    said = re.search(rf"re-opened as ({re.escape(cid)}-R\d+)", out)
    assert said, out
    return said.group(1), out.strip()


async def by_mail(doors: Doors, cid: str, text: str) -> tuple[str, str]:
    letter = mail(
        CUSTOMER,
        "Re: 您的投诉",
        text,
        to=f"care+case+{cid}={token(MAIL_SECRET, cid, CUSTOMER)}@desk.test",
    )
    _, reply = await aiosmtplib.send(letter, hostname="127.0.0.1", port=doors.mail_port)
    said = re.fullmatch(r"OK reopened (\S+)", reply)
    assert said, reply
    return said.group(1), reply


CUSTOMER_DOORS: dict[str, CustomerDoor] = {
    "api": by_api,
    "progress page": by_progress_page,
    "cli": by_cli,
    "e-mail in": by_mail,
}


@pytest.mark.parametrize("door", CUSTOMER_DOORS)
async def test_a_customers_message_to_an_ended_case_opens_a_linked_case_carrying_it(
    doors: Doors, door: str
) -> None:
    cid = await ended_case(doors.desk)

    landed, said = await CUSTOMER_DOORS[door](doors, cid, "又漏水了，地板都湿了")

    assert landed == f"{cid}-R1", said
    # The CLI's follow-up goes to the task queue of `complaint-desk up` (no worker here reads
    # it): what it was started with is read from its history, the same for every door.
    assert await doors.desk.api.status(landed) is WorkflowExecutionStatus.RUNNING
    started = await doors.desk.api._first_intake(landed)
    assert (started.linked_to, started.description) == (cid, "又漏水了，地板都湿了")
    if door != "cli":
        doors.desk.opened.append(landed)


# An agent's message to a case that has ended: refused with `case_ended`, in the reader's words.
AgentDoor = Callable[[Doors, str, str], Awaitable[str]]


async def agent_by_api(doors: Doors, cid: str, lang: str) -> str:
    answer = await doors.api.http.post(
        f"/v1/complaints/{cid}/respond", json={"text": "您好"}, headers=doors.api.auth("crm-agents")
    )
    assert answer.status_code == 409, answer.text
    assert (answer.json()["code"], answer.json()["params"]) == ("case_ended", {"complaint_id": cid})
    return str(answer.json()["error"])


async def agent_by_staff_page(doors: Doors, cid: str, lang: str) -> str:
    async with signed_in(doors.web, "agent-zhang", lang) as http:
        page = await http.get(f"/cases/{cid}")
        [csrf] = CSRF.findall(page.text)[:1]
        answer = await http.post(f"/cases/{cid}/respond", data={"csrf": csrf, "text": "您好"})
    assert answer.status_code == 409, answer.text
    shown = re.search(r'<p class="error" role="alert">(.*?)</p>', answer.text, re.S)
    assert shown, answer.text
    return shown.group(1)


async def agent_by_cli(doors: Doors, cid: str, lang: str) -> str:
    code, out, err = await cli_against(
        doors.desk, doors.home, "--lang", lang, "respond", cid, "您好", "--agent", "agent-zhang"
    )
    assert code == 3, (out, err)
    return err.strip()


AGENT_DOORS: dict[str, AgentDoor] = {
    "api": agent_by_api,
    "staff page": agent_by_staff_page,
    "cli": agent_by_cli,
}
ENDED = {"en": "case {} has ended", "zh": "案件 {} 已结束"}


@pytest.mark.parametrize("door", AGENT_DOORS)
async def test_an_agents_message_to_an_ended_case_is_refused_in_the_readers_words(
    doors: Doors, door: str
) -> None:
    cid = await ended_case(doors.desk)
    before = await doors.desk.api.timeline(cid)
    for lang in ("en", "zh") if door != "api" else ("en",):
        said = await AGENT_DOORS[door](doors, cid, lang)
        assert ENDED[lang].format(cid) in said, said
    assert await doors.desk.api.timeline(cid) == before


# A repeat intake: the same complaint again lands on its case; another complaint under the same
# id is refused (`id_taken`) and changes nothing. Each door is given an id of its own (`key`) and
# a description, and says (what it did, the complaint id).
IntakeDoor = Callable[[Doors, str, str], Awaitable[tuple[str, str]]]


def _body(doors: Doors, key: str, description: str) -> dict[str, Any]:
    return intake(key, doors.received_at, description=description)


async def intake_by_api(doors: Doors, key: str, description: str) -> tuple[str, str]:
    answer = await doors.api.http.post(
        "/v1/complaints", json=_body(doors, key, description), headers=doors.api.auth("web-form")
    )
    if answer.status_code == 409:
        assert answer.json()["code"] == "id_taken", answer.text
        return "refused: id taken", key
    assert answer.status_code in (200, 201), answer.text
    return ("opened" if answer.status_code == 201 else "the same case"), key


async def intake_by_cli(doors: Doors, key: str, description: str) -> tuple[str, str]:
    path = doors.home / f"{key}.json"
    path.write_text(json.dumps(_body(doors, key, description), default=str), encoding="utf-8")
    code, out, err = await cli_against(doors.desk, doors.home, "start", "--file", str(path))
    if code == 3:
        assert "already names another complaint's case" in err, err
        return "refused: id taken", key
    assert code == 0, err
    return ("the same case" if "already exists: this is its case" in out else "opened"), key


async def intake_by_mail(doors: Doors, key: str, description: str) -> tuple[str, str]:
    """The same mail delivered twice, or another mail under a Message-ID already taken (its own
    complaint id: Message-ID, sender and words)."""
    letter = mail(CUSTOMER, "洗衣机漏水", description)
    letter.replace_header("Message-ID", f"<{key}@mail.example.com>")
    cid = complaint_id_for(read(letter.as_bytes(), []))
    try:
        _, reply = await aiosmtplib.send(letter, hostname="127.0.0.1", port=doors.mail_port)
    except aiosmtplib.SMTPDataError as err:
        assert err.code == 550 and "already names another complaint's case" in err.message
        return "refused: id taken", cid
    verdicts = {f"OK opened {cid}": "opened", f"OK repeat {cid}": "the same case"}
    assert reply in verdicts, reply
    return verdicts[reply], cid


INTAKE_DOORS: dict[str, IntakeDoor] = {
    "api": intake_by_api,
    "cli": intake_by_cli,
    "e-mail in": intake_by_mail,
}


@pytest.mark.parametrize("door", INTAKE_DOORS)
async def test_a_repeat_intake_lands_on_its_case_and_another_complaint_under_its_id_is_refused(
    doors: Doors, door: str
) -> None:
    send = INTAKE_DOORS[door]
    key = f"C-{uuid.uuid4().hex[:10]}"

    first, cid = await send(doors, key, "新买的洗衣机漏水")
    kept = await doors.desk.api._first_intake(cid)
    again, _ = await send(doors, key, "新买的洗衣机漏水")
    other, _ = await send(doors, key, "另一个人的另一件投诉")

    # E-mail in never refuses a customer: a mail's id is its Message-ID, sender and words, so a
    # different mail under a Message-ID already taken is another complaint and opens its own case.
    expected = ("opened", "the same case", "opened" if door == "e-mail in" else "refused: id taken")
    assert (first, again, other) == expected
    assert await doors.desk.api._first_intake(cid) == kept  # the case kept its own complaint
    if door != "cli":  # the CLI's case went to the task queue of `complaint-desk up`
        doors.desk.opened.append(cid)


# One click on the staff page: one update, then the page it redirects to reads the case.
class Counting(Interceptor):
    def __init__(self) -> None:
        self.calls: list[str] = []

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Counted(next, self.calls)


class _Counted(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, calls: list[str]) -> None:
        super().__init__(next)
        self.calls = calls

    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        self.calls.append("start")
        return await super().start_workflow(input)

    async def signal_workflow(self, input: SignalWorkflowInput) -> None:
        self.calls.append("signal")
        await super().signal_workflow(input)

    async def query_workflow(self, input: QueryWorkflowInput) -> Any:
        self.calls.append(f"query {input.query}")
        return await super().query_workflow(input)

    async def start_workflow_update(
        self, input: StartWorkflowUpdateInput
    ) -> WorkflowUpdateHandle[Any]:
        self.calls.append(f"update {input.update}")
        return await super().start_workflow_update(input)


async def test_one_click_on_the_case_page_is_one_update_then_one_page_read(
    desk: Desk, tmp_path: Path
) -> None:
    """Before: four calls, the update's acknowledgement turned into a snapshot the page threw
    away before its redirect read the case again; then the page's three reads (two queries
    and a history event) became one query (docs/benchmarks.md, "The agent's click")."""
    cid = await desk.open()
    counting = Counting()
    config = desk.api.client.config()
    config["interceptors"] = [counting]
    counted = replace(desk, api=ComplaintDesk(Client(**config), desk.api.task_queue))
    async with serving(counted, tmp_path) as web, signed_in(web, "agent-zhang") as http:
        page = await http.get(f"/cases/{cid}")
        [csrf] = CSRF.findall(page.text)[:1]
        counting.calls.clear()
        clicked = await http.post(f"/cases/{cid}/respond", data={"csrf": csrf, "text": "您好"})
        assert clicked.status_code == 303, clicked.text
        by_click = list(counting.calls)
        shown = await http.get(clicked.headers["location"])
        assert shown.status_code == 200 and "the case accepted it" in shown.text
        by_page = counting.calls[len(by_click) :]

    assert by_click == ["update respond"]
    assert by_page == ["query staff_view"]


def test_the_doors_cover_every_door() -> None:
    """A door added later joins these tests (webhooks in, if ever, are a door too)."""
    assert set(CUSTOMER_DOORS) | set(AGENT_DOORS) | set(INTAKE_DOORS) == {
        "api",
        "progress page",
        "staff page",
        "cli",
        "e-mail in",
    }


async def test_a_customers_message_to_an_open_case_is_one_signal_and_asks_no_worker(
    desk: Desk,
) -> None:
    """Whether the case has ended is read from its `ComplaintStage` attribute (a describe),
    not asked of a worker: a message is taken while every worker is down."""
    cid = await desk.open()
    counting = Counting()
    config = desk.api.client.config()
    config["interceptors"] = [counting]
    counted = ComplaintDesk(Client(**config), desk.api.task_queue)

    sent = await counted.act(cid, "reply", {"text": "在吗"})

    assert sent == StartedCase(cid, f"complaint-{cid}", created=False)
    assert counting.calls == ["signal"]
