"""The HTTP API against a real uvicorn server, a real worker, the time-skipping Temporal server
and PostgreSQL: intake with repeats, case actions from the action table, the views, keys."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from api.openapi import rendered
from schemas import DeadlineKind, EntryKind, Stage
from tests.support.api import Api, running_api
from tests.support.desk import ROOT, Desk, intake


@pytest.fixture
async def api(desk: Desk) -> AsyncIterator[Api]:
    async with running_api(desk.api) as running:
        yield running


async def opened(desk: Desk, api: Api, **overrides: Any) -> str:
    """A complaint started through the API, once it is under investigation and its receipt
    acknowledged (the acknowledgement's entry lands when the message has gone out: a later
    comparison of timelines must not race it)."""
    body = intake(f"C-{len(desk.opened) + 1:04d}-api", await desk.now(), **overrides)
    answer = await api.http.post("/v1/complaints", json=body, headers=api.auth("web-form"))
    assert answer.status_code == 201, answer.text
    complaint_id = str(answer.json()["complaint_id"])
    desk.opened.append(complaint_id)
    await desk.until(
        complaint_id,
        lambda s: (
            s.stage is Stage.INVESTIGATE
            and any(d.kind is DeadlineKind.ACKNOWLEDGE and d.met_at for d in s.deadlines)
        ),
    )
    return complaint_id


async def test_intake_201_then_a_repeat_200_the_same_case(desk: Desk, api: Api) -> None:
    body = intake("C-API-1", await desk.now())
    first = await api.http.post("/v1/complaints", json=body, headers=api.auth("web-form"))
    again = await api.http.post("/v1/complaints", json=body, headers=api.auth("web-form"))

    assert first.status_code == 201
    assert first.json() == {
        "complaint_id": "C-API-1",
        "workflow_id": "complaint-C-API-1",
        "created": True,
    }
    assert again.status_code == 200
    assert again.json() == {**first.json(), "created": False}
    snapshot = await desk.until("C-API-1", lambda s: s.stage is Stage.INVESTIGATE)
    assert snapshot.reopen_count == 0


async def test_the_same_id_with_another_complaint_is_refused(desk: Desk, api: Api) -> None:
    body = intake("C-API-2", await desk.now())
    await api.http.post("/v1/complaints", json=body, headers=api.auth("web-form"))
    impostor = {
        **body,
        "description": "另一个人的投诉",
        "customer": {"name": "李四", "contact": {"phone": "+86 139 1111 2222"}},
    }

    answer = await api.http.post("/v1/complaints", json=impostor, headers=api.auth("web-form"))

    assert answer.status_code == 409
    assert answer.json()["code"] == "id_taken"
    assert answer.json()["params"] == {"complaint_id": "C-API-2"}
    assert "C-API-2" in answer.json()["error"]
    assert "李四" not in answer.text and "139" not in answer.text
    kept = await desk.api._first_intake("C-API-2")
    assert kept.customer.name == "王小明"


async def test_an_idempotency_key_gives_a_complaint_without_id_one_case(
    desk: Desk, api: Api
) -> None:
    body = intake("unused", await desk.now())
    del body["complaint_id"]
    headers = {**api.auth("web-form"), "Idempotency-Key": "form-submission-7f3a"}

    first = await api.http.post("/v1/complaints", json=body, headers=headers)
    again = await api.http.post("/v1/complaints", json=body, headers=headers)
    other_backend = await api.http.post(
        "/v1/complaints", json=body, headers={**headers, **api.auth("store-desk")}
    )

    assert (first.status_code, again.status_code, other_backend.status_code) == (201, 200, 201)
    complaint_id = first.json()["complaint_id"]
    assert again.json()["complaint_id"] == complaint_id
    assert other_backend.json()["complaint_id"] != complaint_id  # keys are per backend
    await desk.until(complaint_id, lambda s: s.stage is Stage.INVESTIGATE)


async def test_a_reply_and_an_agent_update_land_on_the_timeline(desk: Desk, api: Api) -> None:
    complaint_id = await opened(desk, api)
    base = f"/v1/complaints/{complaint_id}"

    reply = await api.http.post(
        f"{base}/reply", json={"text": "还在漏水，请快点"}, headers=api.auth("store-desk")
    )
    responded = await api.http.post(
        f"{base}/respond", json={"text": "非常抱歉，马上安排。"}, headers=api.auth("crm-agents")
    )

    assert reply.status_code == 202, reply.text
    assert reply.json()["complaint_id"] == complaint_id
    assert responded.status_code == 200, responded.text
    assert responded.json()["stage"] == "investigate"  # the update answers what it did
    timeline = await desk.api.timeline(complaint_id)
    said = [(e.kind, e.actor, e.summary) for e in timeline]
    assert (EntryKind.CUSTOMER_MESSAGE, "customer", "还在漏水，请快点") in said
    assert (EntryKind.AGENT_MESSAGE, "api:crm-agents", "非常抱歉，马上安排。") in said


async def test_a_refused_update_is_409_with_the_reason_and_changes_nothing(
    desk: Desk, api: Api
) -> None:
    complaint_id = await opened(desk, api)
    before = await desk.api.timeline(complaint_id)

    answer = await api.http.post(
        f"/v1/complaints/{complaint_id}/progress",
        json={"note": "已更换", "completed": True},
        headers=api.auth("crm-agents"),
    )

    assert answer.status_code == 409
    assert answer.json()["error"].startswith("cannot carry out plan")
    assert answer.json()["code"]  # the case's reason as a code, for the caller's own words
    assert await desk.api.timeline(complaint_id) == before


async def test_a_supervisor_action_and_a_person_named_by_the_workspace(
    desk: Desk, api: Api
) -> None:
    complaint_id = await opened(desk, api)
    base = f"/v1/complaints/{complaint_id}"
    as_wang = {**api.auth("workspace"), "X-Acting-For": "agent-wang"}

    escalated = await api.http.post(
        f"{base}/escalate",
        json={"reason": "媒体关注", "severity": "L1"},
        headers=api.auth("crm-supervisors"),
    )
    plan = await api.http.post(
        f"{base}/plan", json={"summary": "上门更换", "compensation_yuan": "80"}, headers=as_wang
    )
    nobody = await api.http.post(
        f"{base}/finding", json={"summary": "x"}, headers=api.auth("workspace")
    )
    own = await api.http.post(
        f"{base}/approve", json={}, headers={**api.auth("workspace"), "X-Acting-For": "agent-wang"}
    )

    assert escalated.status_code == 200, escalated.text
    assert escalated.json()["action"] == "escalate"  # the update's own answer (`ActionAck`)
    assert (await desk.api.snapshot(complaint_id)).severity == "L1"
    assert plan.status_code == 200, plan.text
    assert nobody.status_code == 422
    assert nobody.json()["fields"][0]["field"] == "header:X-Acting-For"
    assert own.status_code == 409  # the case compares people: its author cannot approve it
    assert "agent-wang proposed this plan" in own.json()["error"]
    timeline = await desk.api.timeline(complaint_id)
    assert {e.actor for e in timeline} >= {"api:crm-supervisors", "agent-wang"}


async def test_views_by_scope_and_unknown_cases(desk: Desk, api: Api) -> None:
    complaint_id = await opened(desk, api)

    view = await api.http.get(f"/v1/complaints/{complaint_id}", headers=api.auth("store-desk"))
    snap = await api.http.get(
        f"/v1/complaints/{complaint_id}/snapshot", headers=api.auth("crm-agents")
    )
    not_staff = await api.http.get(
        f"/v1/complaints/{complaint_id}/snapshot", headers=api.auth("store-desk")
    )
    unknown = await api.http.get("/v1/complaints/C-NOPE", headers=api.auth("store-desk"))
    unknown_action = await api.http.post(
        "/v1/complaints/C-NOPE/reply", json={"text": "hi"}, headers=api.auth("store-desk")
    )

    assert view.status_code == 200
    assert view.json()["complaint_id"] == complaint_id
    assert "owner" not in view.json() and "severity" not in view.json()
    assert snap.status_code == 200
    assert snap.json()["owner"] == "agent-zhang"
    assert not_staff.status_code == 403
    assert (unknown.status_code, unknown_action.status_code) == (404, 404)
    assert unknown.json() == {"error": "no case C-NOPE", "fields": []}
    served = await api.http.get("/openapi.json")  # the committed document, with its bodies
    assert served.json() == json.loads((ROOT / "docs" / "openapi.json").read_text("utf-8"))


async def test_reopen_of_an_open_case_goes_to_that_case(desk: Desk, api: Api) -> None:
    complaint_id = await opened(desk, api)

    answer = await api.http.post(
        f"/v1/complaints/{complaint_id}/reopen",
        json={"reason": "没修好"},
        headers=api.auth("store-desk"),
    )

    assert answer.status_code == 202
    assert answer.json() == {
        "complaint_id": complaint_id,
        "workflow_id": f"complaint-{complaint_id}",
        "created": False,
        "owner": None,
    }


async def test_the_readme_curl_example(desk: Desk, api: Api) -> None:
    """The README's command, as written, against the real server (curl's -d says form data)."""
    example = json.loads((ROOT / "examples" / "complaint.json").read_text(encoding="utf-8"))
    curl = await asyncio.create_subprocess_exec(
        "curl",
        "-s",
        "-o",
        "-",
        "-w",
        "\n%{http_code}",
        "-X",
        "POST",
        f"{api.url}/v1/complaints",
        "-H",
        f"Authorization: Bearer {api.tokens['web-form']}",
        "-d",
        "@examples/complaint.json",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await curl.communicate()
    body, status = out.decode().rsplit("\n", 1)

    assert status == "201", body
    assert json.loads(body)["complaint_id"] == example["complaint_id"]
    desk.opened.append(example["complaint_id"])
    await desk.until(example["complaint_id"], lambda s: s.stage is Stage.INVESTIGATE)


def test_the_committed_openapi_document_is_current_and_whole() -> None:
    committed = (Path(ROOT) / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert committed == rendered(), "run `python -m api.openapi` and commit docs/openapi.json"
    document = json.loads(committed)
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', committed))
    assert refs <= set(document["components"]["schemas"])  # every body and answer is described
    respond = document["paths"]["/v1/complaints/{complaint_id}/respond"]["post"]
    body = respond["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "agent" not in document["components"]["schemas"][body.rsplit("/", 1)[1]]["properties"]


async def test_nothing_personal_in_the_logs(
    desk: Desk, api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    """Access lines carry method, path, status, key and ids; never bodies or query strings."""
    complaint_id = await opened(desk, api)
    await api.http.post(
        f"/v1/complaints/{complaint_id}/reply?phone=13800000000",
        json={"text": "我的电话是 13912345678"},
        headers=api.auth("store-desk"),
    )
    bad = {**intake("C-LOG-2", await desk.now()), "channel": "王小明的信"}
    await api.http.post("/v1/complaints", json=bad, headers=api.auth("web-form"))

    logged = capsys.readouterr().out
    assert "path=/v1/complaints/" in logged or '"path": "/v1/complaints/' in logged
    for personal in ("王小明", "138 0000", "13800000000", "13912345678", "我的电话"):
        assert personal not in logged


async def test_a_message_to_an_ended_case_opens_a_linked_case_and_a_reopen_joins_it(
    desk: Desk, api: Api
) -> None:
    survivor, duplicate = await opened(desk, api), await opened(desk, api)
    merged = await api.http.post(
        f"/v1/complaints/{duplicate}/merge",
        json={"into": survivor, "reason": "同一台洗衣机"},
        headers=api.auth("crm-supervisors"),
    )
    assert merged.status_code == 200, merged.text
    await desk.api.outcome(duplicate)

    reply = await api.http.post(
        f"/v1/complaints/{duplicate}/reply", json={"text": "hi"}, headers=api.auth("store-desk")
    )
    reopened = await api.http.post(
        f"/v1/complaints/{duplicate}/reopen",
        json={"reason": "还是坏的"},
        headers=api.auth("store-desk"),
    )

    assert reply.status_code == 201, reply.text  # never lost: a follow-up case carries it
    assert reply.json()["complaint_id"] == f"{duplicate}-R1" and reply.json()["created"]
    desk.opened.append(f"{duplicate}-R1")
    assert reopened.status_code == 202, reopened.text  # to the open follow-up
    assert reopened.json()["complaint_id"] == f"{duplicate}-R1"
    linked = await desk.until(f"{duplicate}-R1", lambda s: s.stage is Stage.INVESTIGATE)
    assert linked.owner == "agent-zhang"
