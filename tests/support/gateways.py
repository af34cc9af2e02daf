"""Real servers on the far side of the gateways, for the delivery and e-mail-in tests: an SMTP
server (aiosmtpd) and an HTTP webhook receiver, each counting what arrives by its dedupe key
(Message-ID, Idempotency-Key) the way a careful provider would."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool
from delivery.catcher import listen
from delivery.dispatch import Backoff, Delivery, Route
from delivery.routing import DEFAULT_ROUTES
from delivery.smtp import SmtpGateway, SmtpSettings
from delivery.texts import LetterSettings
from delivery.webhook import WebhookConfig, WebhookGateway, signature
from desk.service import ComplaintDesk
from schemas import SlaPolicy
from starter.local import free_port
from tests.support.desk import ROUND_THE_CLOCK, Desk
from worker import build_worker

SECRET = b"test-reply-secret"
LETTERS = LetterSettings("Customer Care <care@desk.test>", "care@desk.test", SECRET)
HOOK_SECRET = "hook-secret"
# Retries in tenths of a second instead of seconds to minutes: the scenario stays the same.
FAST = Backoff(timedelta(milliseconds=100), timedelta(milliseconds=500))


def plain(message: EmailMessage) -> str:
    """A letter's text/plain part, as a reader without HTML reads it."""
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


@dataclass
class MailServer:
    """aiosmtpd handler: keeps every message; `refuse` answers 550 for those recipients; `hold`
    keeps the reply to DATA back (the message has arrived, the sender does not know yet)."""

    refuse: set[str] = field(default_factory=set)
    hold: asyncio.Event | None = None
    arrivals: list[EmailMessage] = field(default_factory=list)
    envelopes: list[list[str]] = field(default_factory=list)  # each arrival's RCPT TO addresses
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.arrivals.append(message)
        self.envelopes.append(list(envelope.rcpt_tos))
        self.arrived.set()
        if self.hold is not None:
            await self.hold.wait()
        return f"250 2.0.0 Ok: queued as Q{len(self.arrivals)}"

    def by_message_id(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]) for m in self.arrivals)

    def to(self, address: str, subject: str = "") -> list[EmailMessage]:
        return [m for m in self.arrivals if str(m["To"]) == address and subject in m["Subject"]]


@asynccontextmanager
async def smtp_server(handler: MailServer, port: int | None = None) -> AsyncIterator[int]:
    server = await listen(handler, "127.0.0.1", port or free_port())
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@dataclass
class Call:
    key: str
    signed: bool
    body: dict[str, Any]
    status: int


class Hook:
    """An HTTP webhook receiver in a thread: answers the statuses in `answers` first, then 200."""

    def __init__(self, answers: list[int] | None = None) -> None:
        self.answers = list(answers or [])
        self.calls: list[Call] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                signed = self.headers["X-Signature"] == signature(HOOK_SECRET.encode(), raw)
                status = hook.answers.pop(0) if hook.answers else 200
                key = self.headers["Idempotency-Key"]
                hook.calls.append(Call(key, signed, json.loads(raw), status))
                reply = json.dumps({"id": f"P-{len(hook.calls)}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> Counter[str]:
        """Calls answered 2xx, by Idempotency-Key: what the provider went on to send."""
        return Counter(c.key for c in self.calls if 200 <= c.status < 300)


def delivery(
    pool: Pool,
    smtp_port: int | None,
    hooks: dict[str, Hook] | None = None,
    http: Any = None,
    backoff: Backoff = FAST,
) -> Delivery:
    routes: dict[str, Route] = {}
    if smtp_port:
        smtp = SmtpSettings("127.0.0.1", smtp_port, security="none", timeout=5)
        routes["email"] = Route(SmtpGateway(smtp, LETTERS), "email")
    for name, hook in (hooks or {}).items():
        config = WebhookConfig(url=hook.url, secret=HOOK_SECRET, address="phone")
        routes[name] = Route(WebhookGateway(name, config, http, LETTERS), "phone")
    return Delivery(
        pool, routes, DEFAULT_ROUTES, staff_address="{recipient}@staff.test", backoff=backoff
    )


@asynccontextmanager
async def delivering_desk(
    client: Client,
    env: WorkflowEnvironment,
    pool: Pool,
    notifier: Delivery,
    queue: str = "",
    policy: SlaPolicy = ROUND_THE_CLOCK,
) -> AsyncIterator[Desk]:
    """A worker whose notify activity sends through `notifier` (a task queue of its own)."""
    d = Desk(
        api=ComplaintDesk(client, task_queue=queue or f"delivery-{uuid.uuid4().hex[:8]}"),
        env=env,
        pool=pool,
    )
    async with build_worker(
        client, pool, notifier=notifier, policy=policy, task_queue=d.api.task_queue
    ):
        yield d


def email_customer(address: str = "li.hua@example.com") -> dict[str, Any]:
    return {"name": "李华", "contact": {"email": address}, "account_id": "U-7"}
