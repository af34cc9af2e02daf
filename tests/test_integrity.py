"""Integrity at the case's door (issue 13, items 3-6), through the real (time-skipping) server:
an impostor workflow id, a start with no input, dates outside the window, a signal that cannot
be decrypted, each kind of invalid signal. Each is refused with the reason or recorded on the
case's timeline; no workflow task fails, and no other case's rows are touched. Nothing the
customer wrote reaches the worker's logs.

The tests at the door (`@on_both_servers`) run again through the real dev server as `./dev up`
runs it, whose histories and visibility are production's. The same senders with the plain
`temporal` CLI are in test_integrity_cli.py and test_plain_cli.py.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowUpdateFailedError,
)
from temporalio.common import RawValue
from temporalio.contrib.pydantic import pydantic_data_converter

from encryption.codec import KEY_ID
from schemas import EntryKind, Stage
from telemetry import logs
from tests.support.desk import Desk, eventually, intake
from tests.support.integrity import failed_tasks, stored_quietly, unique
from tests.support.servers import on_both_servers
from workflows import search_attributes
from workflows.complaint import workflow_id_for

NAME, PHONE = "王小明", "+86 138 0000 0000"


def poisoned() -> RawValue:
    """64 random bytes that say they are ciphertext under the tests' key."""
    encrypted = {"encoding": b"binary/encrypted", KEY_ID: b"test-1"}
    return RawValue(Payload(metadata=encrypted, data=os.urandom(64)))


def without_codec(desk: Desk) -> Client:
    """A client as a backend without the key would have: payloads go as they are."""
    client = desk.env.client
    return Client(
        client.service_client, namespace=client.namespace, data_converter=pydantic_data_converter
    )


async def fails_at_once(desk: Desk, workflow_id: str, *args: Any) -> str:
    handle = await desk.env.client.start_workflow(
        "Complaint", args=list(args), id=workflow_id, task_queue=desk.api.task_queue
    )
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert await failed_tasks(handle) == 0, "a workflow task failed"
    return str(failed.value.cause)


@on_both_servers
async def test_an_impostor_workflow_id_fails_at_once_and_touches_no_other_case(
    desk: Desk,
) -> None:
    real = await desk.open()
    await stored_quietly(desk, real)
    impostor = intake(
        real, await desk.now(), customer={"name": "李四", "contact": {"phone": "+86 139 1111 2222"}}
    )
    reason = await fails_at_once(desk, "complaint-EVIL", impostor)
    assert f"must be {workflow_id_for(real)}" in reason
    # The real case's rows are its own: its workflow's events, its row, its messages only.
    assert await desk.pool.fetchval(
        "SELECT workflow_id FROM complaints WHERE complaint_id = $1", real
    ) == workflow_id_for(real)
    writers = await desk.pool.fetch(
        "SELECT DISTINCT workflow_id FROM complaint_events WHERE complaint_id = $1", real
    )
    assert [r["workflow_id"] for r in writers] == [workflow_id_for(real)]
    assert (
        await desk.pool.fetchval(
            "SELECT count(*) FROM notification_outbox WHERE key LIKE 'complaint-EVIL/%'"
        )
        == 0
    )
    assert await desk.pool.fetchval("SELECT count(*) FROM customers WHERE name = '李四'") == 0


@on_both_servers
async def test_a_start_without_input_fails_at_once(desk: Desk) -> None:
    cid = unique("C-none")
    assert "none was given" in await fails_at_once(desk, workflow_id_for(cid))
    assert await desk.pool.fetchval("SELECT count(*) FROM complaints") == 0


@on_both_servers
@pytest.mark.parametrize("received_at", ["9999-12-31T00:00:00+00:00", "0001-01-01T00:00:00+08:00"])
async def test_a_date_outside_the_window_fails_at_once_with_the_reason(
    desk: Desk, received_at: str
) -> None:
    cid = unique("C-when")
    start = {**intake(cid, await desk.now()), "received_at": received_at}
    reason = await fails_at_once(desk, workflow_id_for(cid), start)
    assert "must be from 2000-01-01 up to 2100-01-01" in reason
    assert await desk.pool.fetchval("SELECT count(*) FROM complaints") == 0


# (signal, payload, what the entry names) — never the values themselves
INVALID: list[tuple[str, Any, str]] = [
    ("customer_reply", {"intent": "message"}, "text: missing"),
    ("customer_reply", {"text": 5}, "text: string_type"),
    ("customer_reply", {"text": PHONE, "intent": "maybe"}, "intent: enum"),
    ("survey_answer", {"result": 9, "attitude": 5, "timeliness": 5}, "result: less_than_equal"),
    ("survey_answer", {"result": 99, "attitude": 5, "timeliness": 5}, "result: less_than_equal"),
    ("customer_reply", {"text": "hi", NAME: PHONE}, "extra_forbidden"),
    ("reopen_request", "just a string", "model_type"),
]


async def unreadable_entries(desk: Desk, cid: str, count: int) -> list[str]:
    async def probe() -> list[str] | None:
        timeline = await desk.api.timeline(cid)
        found = [e.summary for e in timeline if e.kind is EntryKind.UNREADABLE]
        return found if len(found) >= count else None

    return await eventually(probe)


@on_both_servers
async def test_each_invalid_signal_leaves_an_entry_with_the_reason_and_no_value(
    desk: Desk,
) -> None:
    cid = await desk.open()
    handle = desk.env.client.get_workflow_handle(workflow_id_for(cid))
    for signal, payload, _ in INVALID:
        await handle.signal(signal, payload)
    entries = await unreadable_entries(desk, cid, len(INVALID))
    for (signal, _, reason), summary in zip(INVALID, entries, strict=True):
        assert summary.startswith(f"message could not be read: {signal}"), summary
        assert reason in summary, summary
        assert NAME not in summary and PHONE not in summary and "maybe" not in summary
    await desk.api.reply(cid, {"text": "a real message after all that"})
    case = await desk.until(cid, lambda s: s.timeline_length > len(entries) + 9)
    assert case.stage is Stage.INVESTIGATE
    assert await failed_tasks(handle) == 0


@on_both_servers
async def test_a_signal_that_cannot_be_decrypted_is_recorded_and_the_case_goes_on(
    desk: Desk,
) -> None:
    cid = await desk.open()
    raw = without_codec(desk).get_workflow_handle(workflow_id_for(cid))
    await raw.signal("customer_reply", poisoned())
    [summary] = await unreadable_entries(desk, cid, 1)
    assert "cannot be decrypted" in summary and "fails authentication" in summary
    # An update that cannot be decrypted is refused before it reaches the history (the reason
    # is in the failure, encrypted for those who hold the key).
    with pytest.raises(WorkflowUpdateFailedError):
        await raw.execute_update("respond", poisoned())
    history = await raw.fetch_history()
    assert not [
        e
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    ]
    answered = await desk.api.respond(cid, {"agent": "agent-zhang", "text": "我们在处理"})
    assert answered.stage is Stage.INVESTIGATE
    assert await failed_tasks(raw) == 0


@pytest.fixture
def production_logging() -> Iterator[None]:
    """The worker's own log set-up (logs.configure, JSON lines), undone after the test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    logs.configure(level="DEBUG", json=True)
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_a_lifecycle_with_bad_signals_logs_no_customer_data(
    production_logging: None,
    desk: Desk,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    cid = await desk.open()
    handle = desk.env.client.get_workflow_handle(workflow_id_for(cid))
    for signal, payload, _ in INVALID:
        await handle.signal(signal, payload)
    await (
        without_codec(desk)
        .get_workflow_handle(workflow_id_for(cid))
        .signal("customer_reply", poisoned())
    )
    await unreadable_entries(desk, cid, len(INVALID) + 1)
    await desk.api.reply(cid, {"text": f"我是{NAME}，电话 {PHONE}"})
    await desk.api.respond(cid, {"agent": "agent-zhang", "text": f"{NAME}您好"})
    await desk.until(cid, lambda s: s.timeline_length > len(INVALID) + 12)
    captured = capfd.readouterr()
    logged = captured.out + captured.err + caplog.text
    assert logged, "the worker logged nothing at all: the test would prove nothing"
    assert NAME not in logged and PHONE not in logged and "139 1111" not in logged
    assert "RestrictedWorkflowAccessError" not in logged


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("WM-200", "WM-200"),
        (" tv9 ", "TV9"),
        ("王小明 的手机 13912345678", None),
        ("13912345678", None),
        ("JOHN SMITH", None),
        ("washing machine WM-200", None),
    ],
)
def test_the_product_attribute_is_a_code_or_nothing(typed: str, shown: str | None) -> None:
    assert search_attributes.product_code(typed) == shown


@on_both_servers
async def test_free_text_typed_as_the_product_never_reaches_a_search_attribute(
    desk: Desk,
) -> None:
    typed = f"{NAME} 的手机 13912345678"
    cid = await desk.open(product=typed)
    coded = await desk.open(product="wm-200")
    for complaint_id, shown in ((cid, None), (coded, "WM-200")):
        described = await desk.env.client.get_workflow_handle(
            workflow_id_for(complaint_id)
        ).describe()
        assert described.typed_search_attributes.get(search_attributes.PRODUCT) == shown
        assert typed not in str(described.raw_description.workflow_execution_info.search_attributes)


@on_both_servers
async def test_a_start_with_two_inputs_fails_at_once(desk: Desk) -> None:
    cid = unique("C-two")
    start = intake(cid, await desk.now())
    assert "2 were given" in await fails_at_once(desk, workflow_id_for(cid), start, start)
    assert await desk.pool.fetchval("SELECT count(*) FROM complaints") == 0
