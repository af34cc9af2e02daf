"""The e-mail door: a desk that delivers to a real SMTP catcher and listens for mail in, and the
mail a customer sends it."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool
from configuration.settings import Settings
from delivery.catcher import listen
from delivery.email_in import MailIn, MailInHandler
from delivery.mail_reading import Reader
from delivery.quarantine import Quarantine
from evidence.store import Evidence
from starter.local import free_port
from tests.support.desk import Desk
from tests.support.gateways import SECRET, MailServer, delivering_desk, delivery, smtp_server

CUSTOMER = "li.hua@example.com"


@asynccontextmanager
async def mail_desk(
    env: WorkflowEnvironment,
    pool: Pool,
    quarantine: Path | None = None,
    reader: Reader | None = None,
    settings: Settings | None = None,
) -> AsyncIterator[tuple[Desk, MailServer, int]]:
    """The desk with delivery to `outgoing`, and its e-mail-in listener on the returned port
    (its quarantine in `quarantine`, else a temporary folder; the files mail brings kept as
    `settings` say, else under a temporary home)."""
    outgoing = MailServer()
    with tempfile.TemporaryDirectory() as scratch:
        async with (
            smtp_server(outgoing) as out_port,
            delivering_desk(env.client, env, pool, delivery(pool, out_port)) as desk,
        ):
            port = free_port()
            kept = Quarantine(quarantine or Path(scratch) / "quarantine")
            home = Settings(complaint_desk_home=Path(scratch))
            evidence = Evidence.configured(settings or home, desk.api, pool)
            handler = MailInHandler(MailIn(desk.api, SECRET, evidence=evidence), kept, reader)
            server = await listen(handler, "127.0.0.1", port)
            try:
                yield desk, outgoing, port
            finally:
                server.close()
                await server.wait_closed()


def mail(sender: str, subject: str, text: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = headers.pop("to", "care@desk.test")
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@mail.example.com>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


async def send(port: int, message: EmailMessage) -> str:
    _, reply = await aiosmtplib.send(message, hostname="127.0.0.1", port=port)
    return reply
