"""What the API's edges refuse: an e-mail address that is more than one address, characters a
terminal acts on, line breaks in one-line fields, and a body that trickles in."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from temporalio.service import RPCError, RPCStatusCode

from tests.support.api import Api, running_api
from tests.support.desk import Desk, intake
from workflows.complaint import workflow_id_for

BODY_SECONDS = 2.0  # the test's COMPLAINT_API_BODY_SECONDS (15 by default)


@pytest.fixture
async def api(desk: Desk) -> AsyncIterator[Api]:
    async with running_api(desk.api, body_seconds=BODY_SECONDS) as running:
        yield running


def complaint(cid: str, **overrides: Any) -> dict[str, Any]:
    return {**intake(cid, datetime(2026, 11, 23, 10, tzinfo=UTC)), **overrides}


async def started(desk: Desk, cid: str) -> bool:
    try:
        await desk.env.client.get_workflow_handle(workflow_id_for(cid)).describe()
    except RPCError as err:
        assert err.status is RPCStatusCode.NOT_FOUND
        return False
    return True


@pytest.mark.parametrize(
    ("what", "field", "change"),
    [
        ("two addresses", "customer.contact.email", {"email": "carol,hdr@example.com"}),
        ("a name and address", "customer.contact.email", {"email": "Carol <c@example.com>"}),
        ("a second header", "customer.contact.email", {"email": "c@example.com;x@y.z"}),
    ],
)
async def test_an_email_that_is_not_one_address_is_refused(
    desk: Desk, api: Api, what: str, field: str, change: dict[str, str]
) -> None:
    body = complaint("C-EDGE-MAIL")
    body["customer"] = {**body["customer"], "contact": change}
    answer = await api.http.post("/v1/complaints", json=body, headers=api.auth("web-form"))
    assert answer.status_code == 422, what
    assert field in answer.json()["error"], what
    assert not await started(desk, "C-EDGE-MAIL")


@pytest.mark.parametrize(
    ("what", "change", "status"),
    [
        ("C1 next-line in text", {"description": "a\x85b"}, 422),
        ("8-bit CSI in text", {"description": "a\u009b31mb"}, 422),
        ("C1 in a one-line field", {"subject": "a\x90b"}, 422),
        ("a line separator in a one-line field", {"subject": "a\u2028b"}, 422),
        ("a paragraph separator in a one-line field", {"subject": "a\u2029b"}, 422),
        ("a line separator in free text", {"description": "first\u2028second"}, 201),
    ],
)
async def test_characters_a_screen_acts_on(
    desk: Desk, api: Api, what: str, change: dict[str, str], status: int
) -> None:
    answer = await api.http.post(
        "/v1/complaints", json=complaint("C-EDGE-TEXT", **change), headers=api.auth("web-form")
    )
    assert answer.status_code == status, (what, answer.text)
    if status == 422:
        assert next(iter(change)) in answer.json()["error"], what
        assert not await started(desk, "C-EDGE-TEXT")


async def test_a_trickling_body_is_answered_408_and_its_connection_closed(api: Api) -> None:
    where = urlsplit(api.url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    head = (
        "POST /v1/complaints HTTP/1.1\r\n"
        f"Host: {where.netloc}\r\n"
        f"Authorization: {api.auth('web-form')['Authorization']}\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 10000\r\n\r\n"  # under the size limit: only time refuses it
    )
    writer.write(head.encode())
    began = time.monotonic()

    async def trickle() -> None:
        # One byte every half second, falling silent just before the limit: a byte arriving
        # as the server closes would make its side answer with a reset instead of the 408.
        while time.monotonic() - began < BODY_SECONDS - 0.6:
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.5)

    sending = asyncio.create_task(trickle())
    try:
        status_line = await asyncio.wait_for(reader.readline(), BODY_SECONDS + 5)
        answered = time.monotonic() - began
        rest = await asyncio.wait_for(reader.read(), 5)  # until the server closes
    finally:
        sending.cancel()
        writer.close()
    assert status_line.startswith(b"HTTP/1.1 408"), status_line
    assert BODY_SECONDS <= answered < BODY_SECONDS + 3
    assert b"connection: close" in rest.lower()
    assert b"did not arrive within 2 seconds" in rest
