"""E-mail in against mail that is odd, hostile or huge, through real SMTP (aiosmtplib to the real
aiosmtpd listener): a different mail under a reused Message-ID is never swallowed, a retry stays
one case, a broken header still opens a case, a mail too big, too wide or too deep to read is kept
in the quarantine and refused without naming anything of ours, and the API in the same process
keeps answering while a large mail is read."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosmtplib
import pytest
import structlog
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool
from catalogue import render
from configuration.settings import Settings
from delivery import email_in
from delivery.mail_reading import Letter, Limits, Reader
from schemas import Stage
from starter.local import free_port
from tests.support.api import running_api
from tests.support.mail import CUSTOMER, mail, mail_desk

UNREADABLE = "554 5.6.0 " + render("mail_in.unreadable", "en")
INTERNALS = ("Error", "Exception", "Traceback", "IndexError", "RecursionError", "python", ".py")


async def answer(port: int, raw: bytes, sender: str = CUSTOMER) -> tuple[int, str]:
    """The listener's answer to DATA, as the sending server sees it."""
    try:
        _, reply = await aiosmtplib.send(
            raw, sender=sender, recipients=["care@desk.test"], hostname="127.0.0.1", port=port
        )
    except aiosmtplib.SMTPResponseException as refused:
        return refused.code, refused.message
    return 250, reply


def raw_mail(headers: str, body: bytes) -> bytes:
    return headers.replace("\n", "\r\n").encode() + b"\r\n" + body


def wide(parts: int) -> bytes:
    """20,000 parts in 840 KiB held the old listener's event loop for 4 to 8 s."""
    part = b"--B\r\n\r\nhello there\r\n"  # a part needs no Content-Type, only its delimiter
    headers = "From: a@example.com\nSubject: wide\nMessage-ID: <wide@example.com>\n"
    headers += 'Content-Type: multipart/mixed; boundary="B"\n'
    return raw_mail(headers, part * parts + b"--B--\r\n")


def deep(levels: int) -> bytes:
    """3,000 nested multiparts: RecursionError in the parser, answered `500 Error: …`."""
    nested = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(levels)
    )
    headers = "From: a@example.com\nSubject: deep\nMessage-ID: <deep@example.com>\n"
    return (
        headers.replace("\n", "\r\n").encode() + nested + b"Content-Type: text/plain\r\n\r\nhi\r\n"
    )


def large(size: int) -> bytes:
    """A complaint with a photo: a few words, then `size` bytes of base64."""
    headers = f"From: {CUSTOMER}\nSubject: photo of the leak\nMessage-ID: <large@example.com>\n"
    headers += 'Content-Type: multipart/mixed; boundary="B"\n'
    line = b"QUJD" * 19 + b"\r\n"
    body = b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe washer leaks.\r\n"
    body += b"--B\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    body += line * (size // len(line)) + b"--B--\r\n"
    return raw_mail(headers, body)


async def test_a_different_mail_under_a_reused_message_id_is_never_swallowed(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    async with mail_desk(env, pool) as (desk, _, port):
        first = mail(CUSTOMER, "洗衣机漏水", "新买的洗衣机漏水。")
        reused = str(first["Message-ID"])
        same_sender_other_words = mail(CUSTOMER, "还有一件事", "烘干也坏了。")
        other_sender = mail("wang@example.org", "Late parcel", "My parcel is a week late.")
        for message in (same_sender_other_words, other_sender):
            del message["Message-ID"]
            message["Message-ID"] = reused
        relayed = b"Received: from relay.example.net by mx.desk.test\r\n" + first.as_bytes()

        opened = [
            (await answer(port, first.as_bytes()))[1],
            (await answer(port, first.as_bytes()))[1],  # the sending server retries
            (await answer(port, relayed))[1],  # the same mail again, by another relay
            (await answer(port, same_sender_other_words.as_bytes()))[1],
            (await answer(port, other_sender.as_bytes(), "wang@example.org"))[1],
        ]
        # the same mail again is answered as a repeat of its case; each different mail opens one
        verdicts = [reply.split(" ")[1] for reply in opened]
        assert verdicts == ["opened", "repeat", "repeat", "opened", "opened"], opened
        ids = [reply.rsplit(" ", 1)[1] for reply in opened]
        assert ids[0] == ids[1] == ids[2]  # one mail, one case
        assert len(set(ids)) == 3  # each different mail has a case of its own
        subjects = [
            (await desk.until(i, lambda s: s.stage is Stage.INVESTIGATE)).subject for i in ids
        ]
        assert subjects[2:] == ["洗衣机漏水", "还有一件事", "Late parcel"]


@pytest.mark.parametrize(
    "header",
    [
        "From: <",  # raised IndexError in the header parser
        "From: =?utf-8?b?5p?= <li.hua@example.com>",  # a broken encoded word
        "From: =?utf-8?q?=E6=9D?= <li.hua@example.com>",
    ],
)
async def test_a_mail_with_a_broken_sender_header_still_opens_a_case(
    env: WorkflowEnvironment, pool: Pool, header: str
) -> None:
    async with mail_desk(env, pool) as (desk, _, port):
        raw = raw_mail(
            f"{header}\nSubject: =?utf-8?q?broken?=\nMessage-ID: <b@example.com>\n",
            "洗衣机漏水了。\r\n".encode(),
        )
        code, reply = await answer(port, raw)
        assert code == 250 and " opened E-" in reply, reply
        case = await desk.until(reply.rsplit(" ", 1)[1], lambda s: s.stage is Stage.INVESTIGATE)
        assert case.channel.value == "email"


@asynccontextmanager
async def listening(client: Client, home: Path, **settings: int) -> AsyncIterator[int]:
    """E-mail in as `complaint-desk mail-in` runs it (`email_in.serve`), its home `home`."""
    port = free_port()
    configured = Settings(complaint_desk_home=home, mail_in_port=port, **settings)  # type: ignore[arg-type]
    server = await email_in.serve(client, configured)
    try:
        yield port
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize(
    ("attack", "raw"),
    [("20,000 parts", wide(20_000)), ("3,000 deep", deep(3_000))],
)
async def test_a_mail_that_cannot_be_read_is_kept_and_refused_without_internals(
    env: WorkflowEnvironment, tmp_path: Path, attack: str, raw: bytes
) -> None:
    with structlog.testing.capture_logs() as logs:
        async with listening(env.client, tmp_path) as port:
            began = time.perf_counter()
            first = await answer(port, raw)
            took = time.perf_counter() - began
            again = await answer(port, raw)  # the sender tries once more
    assert first == again == (554, UNREADABLE.removeprefix("554 "))
    assert not any(word in first[1] for word in INTERNALS)
    folder = tmp_path / "quarantine"
    [kept] = list(folder.glob("*.eml"))  # once, however often it came
    assert kept.read_bytes().replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
    assert oct(folder.stat().st_mode)[-3:] == "700" and oct(kept.stat().st_mode)[-3:] == "600"
    assert CUSTOMER not in kept.name and "a@example.com" not in kept.name
    quarantined = [e for e in logs if e["event"] == "mail quarantined"]
    assert [e["reason"] for e in quarantined] == [kept.name.split("-")[1]]
    assert "a@example.com" not in repr(logs) and "hello there" not in repr(logs)
    assert took < 2, f"{attack}: answered in {took:.1f} s"  # refused before parsing


async def test_a_mail_over_the_size_limit_is_refused_before_it_is_read(
    env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with listening(env.client, tmp_path, mail_in_max_bytes=64 * 1024) as port:
        code, reply = await answer(port, large(128 * 1024))
    assert code == 552 and not any(word in reply for word in INTERNALS[1:]), reply
    # The sending server returns it to the sender with that answer: nothing of it is kept here.
    assert not (tmp_path / "quarantine").exists()


class Watched(Reader):
    """The real reader, telling the test when it has a mail in hand."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.reading = asyncio.Event()

    async def read(self, raw: bytes, envelope_recipients: list[str]) -> Letter:
        self.reading.set()
        return await super().read(raw, envelope_recipients)


async def test_the_api_answers_while_a_large_mail_is_read(
    env: WorkflowEnvironment, pool: Pool
) -> None:
    """E-mail in and the API share one event loop in `complaint-desk up`: a large mail is read
    on a thread, so a health check does not wait for its parse (the baseline: the same mail's
    parse time, measured first in this test)."""
    limits = Limits()
    raw = large(6 * 1024 * 1024)  # a few photos' worth
    began = time.perf_counter()
    await asyncio.to_thread(email_in.read, raw, [], limits)
    parse = time.perf_counter() - began  # what every request waited before, at the least
    reader = Watched(limits)
    async with mail_desk(env, pool, reader=reader) as (desk, _, port), running_api(desk.api) as api:

        async def health() -> float:
            began = time.perf_counter()
            assert (await api.http.get("/v1/health")).status_code == 200
            return time.perf_counter() - began

        baseline = statistics.median([await health() for _ in range(5)])
        sending = asyncio.create_task(answer(port, raw))
        await reader.reading.wait()
        during = [await health()]
        while not sending.done():
            during.append(await health())
        code, reply = await sending
    assert code == 250 and " opened E-" in reply
    # Before, the first request waited for the whole parse. On a thread it shares the
    # interpreter with the parse, and a busy machine may delay any one request: the typical
    # one is what a user of the API meets.
    assert len(during) > 1 and statistics.median(during) < parse / 10, (parse, baseline, during)
