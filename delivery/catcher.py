"""The local mail catcher `./dev up` runs (aiosmtpd): every message the desk sends is accepted and
written as a `.eml` file under `$COMPLAINT_DESK_HOME/mail/`, so a newcomer sees it arrive and can
open it in any mail program. Nothing is relayed anywhere.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP


def eml_name(raw: bytes, message: Message) -> str:
    """Sortable by arrival; the same Message-ID (a retried send) lands in the same file."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    ident = message.get("Message-ID") or raw.decode("utf-8", "replace")
    complaint = (message.get("X-Complaint-Id") or "mail").replace("/", "_")
    digest = hashlib.sha256(ident.encode()).hexdigest()[:12]
    return f"{stamp}-{complaint}-{digest}.eml"


class MailCatcher:
    """aiosmtpd handler: keep every message as a file, once per Message-ID."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # Messages hold names, addresses and progress links (bearer credentials): owner only,
        # including what an older version left readable.
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
        kept = list(folder.glob("*.eml"))
        for path in kept:
            path.chmod(0o600)
        self._kept = {p.name.split("-", 1)[1] for p in kept if "-" in p.name}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.original_content or envelope.content
        name = eml_name(raw, message_from_bytes(raw))
        suffix = name.split("-", 1)[1]
        if suffix not in self._kept:  # else a resend of a message already here
            self._kept.add(suffix)
            descriptor = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(raw)
        return "250 Message accepted for delivery"


async def listen(
    handler: object, host: str, port: int, max_bytes: int = 32 * 1024 * 1024
) -> asyncio.Server:
    """An SMTP server for `handler` on this event loop (the catcher, the inbound listener, the
    tests' servers); close it with `.close()` and `await .wait_closed()`. `max_bytes` is
    announced (SIZE) and a larger mail refused (552) before the handler sees it."""
    # aiosmtpd logs every command at INFO, addresses included: personal data stays out of logs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(
            handler, hostname="complaint-desk", ident="complaint-desk", data_size_limit=max_bytes
        ),
        host,
        port,
    )


async def _catch(folder: Path, port: int) -> None:
    server = await listen(MailCatcher(folder), "127.0.0.1", port)
    print("catching", flush=True)
    await server.serve_forever()


if __name__ == "__main__":  # python -m delivery.catcher FOLDER PORT (a catcher in its own process)
    import sys

    asyncio.run(_catch(Path(sys.argv[1]), int(sys.argv[2])))
