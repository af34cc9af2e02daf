"""The workspace's locks, tried over real HTTP against the real server: no staff page or action
without a session, roles from the action table, a customer link that opens one case only and
only until it expires, CSRF tokens on every form, the actor from the session and never the form,
and the validator's refusal shown on the page in the agent's language."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import APIRequestContext, APIResponse
from starlette.requests import Request

from desk import links
from schemas.case import EntryKind
from tests.support.desk import Desk, eventually
from tests.support.web import SECRET, STAFF, Served, chromium, serving

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
async def served(desk: Desk, tmp_path: Path) -> AsyncIterator[Served]:
    async with serving(desk, tmp_path) as s:
        yield s


@pytest.fixture
async def http(served: Served) -> AsyncIterator[APIRequestContext]:
    """A cookie jar of one person talking HTTP to the server (a browser context's requests)."""
    async with chromium() as browser:
        context = await browser.new_context(
            base_url=served.base, extra_http_headers={"Accept-Language": "en"}
        )
        yield context.request
        await context.close()


async def csrf_of(http: APIRequestContext, path: str) -> str:
    page = await http.get(path)
    assert page.status == 200, await page.text()
    found = CSRF.search(await page.text())
    assert found, "the page has a form with its token"
    return found.group(1)


async def sign_in(http: APIRequestContext, username: str) -> None:
    token = await csrf_of(http, "/signin")
    answer = await http.post(
        "/signin",
        form={"csrf": token, "username": username, "password": STAFF[username][2]},
        max_redirects=0,
    )
    assert answer.status == 303 and answer.headers["location"] == "/queue"


async def post(http: APIRequestContext, path: str, form: dict[str, str]) -> APIResponse:
    return await http.post(path, form=dict[str, str | float | bool](form), max_redirects=0)


async def kinds(desk: Desk, cid: str) -> list[EntryKind]:
    return [e.kind for e in await desk.api.timeline(cid)]


async def test_no_staff_page_or_action_without_signing_in(
    desk: Desk, served: Served, http: APIRequestContext
) -> None:
    cid = await desk.open()
    for path in ("/queue", "/board", f"/cases/{cid}"):
        answer = await http.get(path, max_redirects=0)
        assert answer.status == 303 and answer.headers["location"] == "/signin", path
    assert (await http.get("/queue/version")).status == 401
    before = await kinds(desk, cid)
    answer = await post(http, f"/cases/{cid}/respond", {"text": "hello", "csrf": "x"})
    assert answer.status == 401
    forged = await http.get(
        "/queue", headers={"Cookie": "cd_session=eyJ1IjoiYWdlbnQtemhhbmcifQ"}, max_redirects=0
    )
    assert forged.status == 303
    wrong = await http.post(
        "/signin",
        form={
            "csrf": await csrf_of(http, "/signin"),
            "username": "agent-zhang",
            "password": "guess",
        },
    )
    assert wrong.status == 401 and "Wrong user name or password" in await wrong.text()
    assert (await http.get("/queue", max_redirects=0)).status == 303
    assert await kinds(desk, cid) == before
    for away in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        answer = await http.get(f"/lang/en?next={away}", max_redirects=0)
        assert answer.status == 303 and answer.headers["location"] == "/", away  # stays here


async def test_an_agent_cannot_approve_compensation_a_supervisor_can(
    desk: Desk, served: Served, http: APIRequestContext
) -> None:
    cid = await desk.open()
    await sign_in(http, "agent-zhang")
    token = await csrf_of(http, f"/cases/{cid}")
    page = await (await http.get(f"/cases/{cid}")).text()
    assert "Propose a plan" in page and "Approve compensation" not in page
    answer = await post(
        http,
        f"/cases/{cid}/plan",
        {"csrf": token, "summary": "退货退款", "compensation_yuan": "500"},
    )
    assert answer.status == 303
    assert (await desk.api.snapshot(cid)).plan_awaiting_approval is not None

    answer = await post(http, f"/cases/{cid}/approve", {"csrf": token, "note": "ok"})
    assert answer.status == 403 and "Your role may not do this" in await answer.text()
    assert (await desk.api.snapshot(cid)).plan_awaiting_approval is not None

    await http.post("/signout", form={"csrf": token})
    await sign_in(http, "sup-li")
    token = await csrf_of(http, f"/cases/{cid}")
    answer = await post(http, f"/cases/{cid}/approve", {"csrf": token, "note": "老客户"})
    assert answer.status == 303
    case = await desk.api.snapshot(cid)
    assert case.plan_awaiting_approval is None and case.plan is not None
    approved = [e for e in await desk.api.timeline(cid) if e.kind is EntryKind.APPROVED]
    assert [e.actor for e in approved] == ["sup-li"]


async def test_a_refusal_is_shown_on_the_page_in_the_agents_language(
    desk: Desk, served: Served, http: APIRequestContext
) -> None:
    cid = await desk.open()
    await sign_in(http, "sup-li")
    token = await csrf_of(http, f"/cases/{cid}")
    answer = await post(http, f"/cases/{cid}/approve", {"csrf": token})
    assert answer.status == 409
    assert "The case refused this: no plan awaits approval" in await answer.text()
    await http.get("/lang/zh?next=/queue")
    answer = await post(http, f"/cases/{cid}/approve", {"csrf": token})
    page = await answer.text()
    assert answer.status == 409 and 'lang="zh-CN"' in page
    # The case's reason in the catalogue's words (`refusal.<code>`), never its English sentence.
    assert "案件拒绝了该操作：" in page and "没有待审批的方案" in page
    assert "no plan awaits approval" not in page
    bad = await post(http, f"/cases/{cid}/task-open", {"csrf": token, "department": "tech"})
    assert bad.status == 422 and "owner" in await bad.text()  # named, and nothing was sent
    assert EntryKind.TASK_OPENED not in await kinds(desk, cid)


async def test_the_actor_comes_from_the_session_never_from_the_form(
    desk: Desk, served: Served, http: APIRequestContext
) -> None:
    cid = await desk.open()
    await sign_in(http, "agent-zhang")
    token = await csrf_of(http, f"/cases/{cid}")
    answer = await post(
        http, f"/cases/{cid}/respond", {"csrf": token, "text": "您好", "agent": "agent-wang"}
    )
    assert answer.status == 303
    said = [e for e in await desk.api.timeline(cid) if e.kind is EntryKind.AGENT_MESSAGE]
    assert [e.actor for e in said] == ["agent-zhang"]


async def test_a_form_without_its_csrf_token_is_refused(
    desk: Desk, served: Served, http: APIRequestContext
) -> None:
    cid = await desk.open()
    await sign_in(http, "agent-zhang")
    before = await kinds(desk, cid)
    for form in ({"text": "hi"}, {"text": "hi", "csrf": "forged-token"}):
        answer = await post(http, f"/cases/{cid}/respond", form)
        assert answer.status == 403 and "reload the page" in await answer.text()
    link = await served.link(cid)
    path = link.removeprefix(served.base)
    other = await served.link(await desk.open())
    other_token = await csrf_of(http, other.removeprefix(served.base))
    for form in ({"text": "hi"}, {"text": "hi", "csrf": other_token}):
        assert (await post(http, f"{path}/reply", form)).status == 403
    assert await kinds(desk, cid) == before
    assert (await http.post("/signout", form={})).status == 403  # even signing out


async def test_a_customer_link_opens_its_own_case_only_and_only_until_it_expires(
    desk: Desk, served: Served, http: APIRequestContext
) -> None:
    mine, theirs = await desk.open(), await desk.open(subject="另一个客户的投诉")
    path = (await served.link(mine)).removeprefix(served.base)
    page = await http.get(path)
    assert page.status == 200 and mine in await page.text()

    body, expiry, mac = path.removeprefix(links.PREFIX).split(".")
    other_id = links._b64(theirs.encode())
    later = str(int(expiry) + 86400 * 365)
    for forged in (
        f"{other_id}.{expiry}.{mac}",
        f"{body}.{later}.{mac}",
        f"{body}.{expiry}.x{mac[1:]}",
        "garbage",
        f"{body}.{expiry}",
    ):
        answer = await http.get(links.PREFIX + forged)
        text = await answer.text()
        assert answer.status in (403, 404) and theirs not in text and "另一个客户" not in text, (
            forged
        )
    token = await csrf_of(http, path)
    before = await kinds(desk, theirs)
    forged_path = f"{links.PREFIX}{other_id}.{expiry}.{mac}"
    assert (await post(http, f"{forged_path}/reply", {"csrf": token, "text": "hi"})).status == 403
    assert await kinds(desk, theirs) == before

    expired = links.progress_link(mine, await desk.now() - timedelta(minutes=1), SECRET.encode())
    answer = await http.get(expired)
    assert answer.status == 403 and "expired" in await answer.text()
    rotated = links.progress_link(mine, datetime.now(UTC) + timedelta(days=1), b"another secret")
    assert (await http.get(rotated)).status == 403

    answer = await post(http, f"{path}/reply", {"csrf": token, "text": "什么时候上门？"})
    assert answer.status == 303
    assert EntryKind.CUSTOMER_MESSAGE not in before

    async def told() -> bool | None:
        return True if EntryKind.CUSTOMER_MESSAGE in await kinds(desk, mine) else None

    await eventually(told)
    assert EntryKind.CUSTOMER_MESSAGE not in await kinds(desk, theirs)


class StandInIdP:
    """The identity provider is outside this world: a stand-in behind the interface production
    uses, answering with whoever it is told to vouch for when the state comes back intact."""

    name = "Stand-in IdP"

    def __init__(self, vouches_for: str) -> None:
        self.vouches_for = vouches_for

    def start(self, request: Request, state: str) -> str:
        return f"/signin/callback?code=granted&state={state}"

    async def finish(self, request: Request, state: str) -> str | None:
        q = request.query_params
        return self.vouches_for if q.get("state") == state and q.get("code") == "granted" else None


@pytest.mark.parametrize(("vouches_for", "signed"), [("agent-zhang", True), ("stranger", False)])
async def test_an_identity_provider_signs_in_only_people_in_the_accounts_file(
    desk: Desk, tmp_path: Path, vouches_for: str, signed: bool
) -> None:
    async with serving(desk, tmp_path, identity=StandInIdP(vouches_for)) as served, chromium() as b:
        context = await b.new_context(
            base_url=served.base, extra_http_headers={"Accept-Language": "en"}
        )
        http = context.request
        assert (
            await http.get("/signin/callback?code=granted&state=x", max_redirects=0)
        ).status == 403
        answer = await http.get("/signin/idp")  # follows the IdP's redirects back to us
        if signed:
            assert answer.url.endswith("/queue") and "My queue" in await answer.text()
        else:
            assert (
                answer.status == 401 and (await http.get("/queue", max_redirects=0)).status == 303
            )
        await context.close()
