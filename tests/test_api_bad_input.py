"""What a backend that sends garbage gets from the API: the right status, each bad field named,
none of what it sent repeated, and nothing started or stored."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode

from api.intake import derived_id
from api.keys import ApiKey
from schemas import Stage
from schemas.text import TEXT_MAX
from tests.support.api import LIMIT, Api, running_api
from tests.support.desk import Desk, intake
from workflows.complaint import workflow_id_for

NAME, PHONE = "王小明", "+86 138 0000 0000"  # the harness's customer: must never come back
CID = "C-BAD-1"


@pytest.fixture
async def api(desk: Desk) -> AsyncIterator[Api]:
    async with running_api(desk.api) as running:
        yield running


def good() -> dict[str, Any]:
    return intake(CID, datetime(2026, 11, 23, 10, tzinfo=UTC))


def without(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in names}


async def nothing_started(desk: Desk, complaint_id: str = CID) -> None:
    handle = desk.env.client.get_workflow_handle(workflow_id_for(complaint_id))
    with pytest.raises(RPCError) as err:
        await handle.describe()
    assert err.value.status is RPCStatusCode.NOT_FOUND
    for table in ("complaints", "complaint_events", "notification_outbox"):
        assert await desk.pool.fetchval(f"SELECT count(*) FROM {table}") == 0, table


# (what, request keyword arguments, status, fields named)
INTAKE_BAD: list[tuple[str, dict[str, Any], int, set[str]]] = [
    ("malformed JSON", {"content": b'{"complaint_id": "C-BAD-1", "customer": {'}, 400, set()),
    ("not UTF-8", {"content": b'{"subject": "\xff\xfe"}'}, 400, set()),
    ("an array", {"json": [good()]}, 422, {"(body)"}),
    # (no receiver is not a fault: the case goes to a team queue, tests/test_team_queue.py)
    (
        "missing fields",
        {"json": without(good(), "channel", "receiver", "subject")},
        422,
        {"channel", "subject"},
    ),
    (
        "wrong types",
        {
            "json": {
                **good(),
                "channel": 7,
                "evidence": "photo.jpg",
                "customer": {**good()["customer"], "anonymous": "perhaps"},
            }
        },
        422,
        {"channel", "evidence", "customer.anonymous"},
    ),
    (
        "a bad phone and an unknown field",
        {
            "json": {
                **good(),
                "mood": "angry",
                "customer": {"name": NAME, "contact": {"phone": "call me maybe " + PHONE}},
            }
        },
        422,
        {"mood", "customer.contact.phone"},
    ),
    ("too long", {"json": {**good(), "description": "漏" * (TEXT_MAX + 1)}}, 422, {"description"}),
    (
        "no id and no Idempotency-Key",
        {"json": without(good(), "complaint_id")},
        422,
        {"complaint_id"},
    ),
    (
        "an impostor id",
        {"json": {**good(), "complaint_id": "../complaint-C-1; DROP TABLE"}},
        422,
        {"complaint_id"},
    ),
    (
        "a link to someone's case",
        {"json": {**good(), "linked_to": "C-20261123-0001"}},
        422,
        {"linked_to"},
    ),
    (
        "a bad Idempotency-Key",
        {"json": without(good(), "complaint_id"), "headers": {"Idempotency-Key": "two words"}},
        422,
        {"header:Idempotency-Key"},
    ),
    (
        "not JSON",
        {"content": b"<complaint/>", "headers": {"Content-Type": "application/xml"}},
        415,
        set(),
    ),
    ("multipart", {"files": {"f": ("c.json", b"{}")}}, 415, set()),
    # Before: each of these four failed the request (500) or was taken as it came.
    (
        "an 8,000-deep array (past the recursion limit, under this LIMIT)",
        {"content": b'{"evidence": ' + b"[" * 8_000 + b"]" * 8_000 + b"}"},
        422,
        {"evidence"},
    ),
    (
        "a 5,000-digit integer",
        {"content": json.dumps(good())[:-1] + ', "amount": ' + "9" * 5000 + "}"},
        422,
        {"amount"},
    ),
    ("UTF-16", {"content": json.dumps(good()).encode("utf-16")}, 400, set()),
    ("UTF-16 without a BOM", {"content": json.dumps(good()).encode("utf-16-le")}, 400, set()),
    (
        "a key twice",
        {"content": json.dumps(good())[:-1] + ', "complaint_id": "C-OTHER"}'},
        422,
        {"complaint_id"},
    ),
]


async def test_bad_intakes_are_refused_and_start_nothing(desk: Desk, api: Api) -> None:
    for what, sent, status, fields in INTAKE_BAD:
        extra = sent.get("headers", {})
        arguments = {k: v for k, v in sent.items() if k != "headers"}
        answer = await api.http.post(
            "/v1/complaints", headers={**api.auth("web-form"), **extra}, **arguments
        )

        assert answer.status_code == status, (what, answer.text)
        problem = answer.json()
        assert {f["field"] for f in problem["fields"]} >= fields, what
        for field in fields:
            assert field in problem["error"], what
        assert NAME not in answer.text and "138 0000" not in answer.text, what
        assert "漏漏" not in answer.text and "DROP" not in answer.text, what
    missing_id = await api.http.post(
        "/v1/complaints", json=without(good(), "complaint_id"), headers=api.auth("web-form")
    )
    assert "Idempotency-Key" in missing_id.json()["fields"][0]["message"]
    await nothing_started(desk)


async def test_oversized_bodies_are_refused_while_reading(desk: Desk, api: Api) -> None:
    padded = {
        **good(),
        "evidence": [{"ref": "x" * 190, "note": "n" * 190}] * 20,
        "pad": "p" * LIMIT,
    }

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"complaint_id": "C-BAD-1", "description": "'
        for _ in range(LIMIT // 1024 + 2):
            yield b"x" * 1024
        yield b'"}'

    declared = await api.http.post("/v1/complaints", json=padded, headers=api.auth("web-form"))
    chunked = await api.http.post(
        "/v1/complaints",
        content=chunks(),
        headers={**api.auth("web-form"), "Content-Type": "application/json"},
    )

    assert chunked.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in chunked.request.headers
    for answer in (declared, chunked):
        assert answer.status_code == 413
        assert f"limit of {LIMIT} bytes" in answer.json()["error"]
    await nothing_started(desk)


async def test_keys_scopes_and_rates(desk: Desk, api: Api) -> None:
    url = "/v1/complaints"
    no_key = await api.http.post(url, json=good())
    wrong_key = await api.http.post(url, json=good(), headers={"Authorization": "Bearer cdk_x"})
    not_bearer = await api.http.post(
        url, json=good(), headers={"Authorization": f"Basic {api.tokens['web-form']}"}
    )
    agents_key = await api.http.post(url, json=good(), headers=api.auth("crm-agents"))

    for answer in (no_key, wrong_key, not_bearer):
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert agents_key.status_code == 403
    assert "intake" in agents_key.json()["error"]

    slow = [await api.http.get("/v1/complaints/C-NOPE", headers=api.auth("slow")) for _ in range(3)]
    assert [a.status_code for a in slow] == [404, 404, 429]
    assert int(slow[2].headers["Retry-After"]) >= 1
    await nothing_started(desk)


async def case(desk: Desk, api: Api) -> str:
    """A case received just now, so no deadline of its own falls due while it is acted on:
    one received days ago catches up on its alarms 0.1 s apart, and a task slower than that
    under load cancels a timer that has fired, which the time-skipping server refuses for good
    (temporalio/sdk-java#3088, docs/operating.md)."""
    received_now = intake(CID, datetime.now(UTC))
    answer = await api.http.post("/v1/complaints", json=received_now, headers=api.auth("web-form"))
    assert answer.status_code == 201
    desk.opened.append(CID)
    await desk.until(CID, lambda s: s.stage is Stage.INVESTIGATE)
    return CID


# (action, body, key, status, fields named)
ACTION_BAD: list[tuple[str, Any, str, int, set[str]]] = [
    ("reply", {"text": 123}, "store-desk", 422, {"text"}),
    ("reply", {"text": "ok", "intent": "maybe"}, "store-desk", 422, {"intent"}),
    ("reply", {}, "store-desk", 422, {"text"}),
    (
        "survey",
        {"result": "five", "attitude": 9},
        "store-desk",
        422,
        {"result", "attitude", "timeliness"},
    ),
    ("respond", {"agent": "agent-zhang", "text": "我来冒充"}, "crm-agents", 422, {"agent"}),
    ("respond", {"text": "\x1b[2J"}, "crm-agents", 422, {"text"}),
    ("escalate", {"by": "sup-li", "reason": "x"}, "crm-supervisors", 422, {"by"}),
    ("respond", {"text": "hi"}, "store-desk", 403, set()),
    ("approve", {}, "crm-agents", 403, set()),
    ("reply", {"text": "hi"}, "web-form", 403, set()),
    ("respond", {"text": "hi"}, "crm-supervisors", 200, set()),  # supervisors may act as agents
]


async def test_bad_actions_are_refused_and_change_nothing(desk: Desk, api: Api) -> None:
    complaint_id = await case(desk, api)
    for action, body, key, status, fields in ACTION_BAD:
        before = await desk.api.timeline(complaint_id)
        answer = await api.http.post(
            f"/v1/complaints/{complaint_id}/{action}", json=body, headers=api.auth(key)
        )
        assert answer.status_code == status, (action, body, answer.text)
        if status == 200:
            continue
        assert {f["field"] for f in answer.json()["fields"]} >= fields, answer.text
        assert "我来冒充" not in answer.text
        assert await desk.api.timeline(complaint_id) == before


@pytest.mark.parametrize("path", ["/v1/complaints/C%201/reply", "/v1/complaints/%E7%8E%8B/reply"])
async def test_an_impostor_id_in_the_path_is_refused(desk: Desk, api: Api, path: str) -> None:
    answer = await api.http.post(path, json={"text": "hi"}, headers=api.auth("store-desk"))

    assert answer.status_code == 422
    assert answer.json()["fields"] == [
        {"field": "complaint_id", "message": answer.json()["fields"][0]["message"]}
    ]
    assert "王" not in answer.text


async def test_unknown_routes_and_methods(api: Api) -> None:
    unknown = await api.http.post("/v1/complaints/C-1/dance", json={}, headers=api.auth("slow"))
    wrong_method = await api.http.put("/v1/complaints", json={}, headers=api.auth("slow"))

    assert unknown.status_code == 404
    assert wrong_method.status_code == 405


async def test_a_key_cannot_take_the_id_another_keys_idempotency_key_derives(
    desk: Desk, api: Api
) -> None:
    """Before: the store desk posted the web form's derived id first, and the web form's own
    complaint with that Idempotency-Key got 409 ever after."""
    web_form_id = derived_id(
        ApiKey(name="web-form", sha256="0" * 64, scopes=frozenset()), "order-4711"
    )
    claimed = await api.http.post(
        "/v1/complaints",
        json={**good(), "complaint_id": web_form_id},
        headers=api.auth("store-desk"),
    )

    assert claimed.status_code == 422, claimed.text
    assert [f["field"] for f in claimed.json()["fields"]] == ["complaint_id"]
    assert "Idempotency-Key" in claimed.json()["fields"][0]["message"]
    await nothing_started(desk, web_form_id)
    own = await api.http.post(
        "/v1/complaints",
        json=without(good(), "complaint_id"),
        headers={**api.auth("web-form"), "Idempotency-Key": "order-4711"},
    )
    assert own.status_code == 201, own.text
    assert own.json()["complaint_id"] == web_form_id
    desk.opened.append(web_form_id)


async def test_x_acting_for_names_a_member_of_staff_or_is_refused(desk: Desk, api: Api) -> None:
    """Before: taken verbatim, so a backend's agent could write as the customer (and it showed
    on the customer's page as theirs), as the system, a backend or a team."""
    complaint_id = await case(desk, api)
    before = await desk.api.timeline(complaint_id)
    for acting_for in ("customer", "CUSTOMER", "system", "api:dev", "team-quality", "nobody"):
        answer = await api.http.post(
            f"/v1/complaints/{complaint_id}/respond",
            json={"text": "您好，我们已处理。"},
            headers={**api.auth("workspace"), "X-Acting-For": acting_for},
        )

        assert answer.status_code == 422, (acting_for, answer.text)
        assert [f["field"] for f in answer.json()["fields"]] == ["header:X-Acting-For"]
    assert await desk.api.timeline(complaint_id) == before


async def test_a_person_is_one_person_however_their_id_is_spelt(desk: Desk, api: Api) -> None:
    """Before: `SUP-LI` proposed and `sup-li` approved their own plan."""
    complaint_id = await case(desk, api)
    base = f"/v1/complaints/{complaint_id}"
    escalated = await api.http.post(
        f"{base}/escalate",
        json={"reason": "媒体关注", "severity": "L1"},
        headers=api.auth("crm-supervisors"),
    )
    assert escalated.status_code == 200, escalated.text

    plan = await api.http.post(
        f"{base}/plan",
        json={"summary": "上门更换", "compensation_yuan": "80"},
        headers={**api.auth("workspace"), "X-Acting-For": "SUP-LI"},
    )
    own = await api.http.post(
        f"{base}/approve", json={}, headers={**api.auth("workspace"), "X-Acting-For": "sup-li"}
    )

    assert plan.status_code == 200, plan.text
    assert own.status_code == 409, own.text
    assert "sup-li proposed this plan" in own.json()["error"]
    actors = {e.actor for e in await desk.api.timeline(complaint_id)}
    assert "sup-li" in actors and "SUP-LI" not in actors
