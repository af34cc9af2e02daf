"""E-mail in: an SMTP listener (aiosmtpd) that turns each mail into a case action.

- a new mail opens a complaint (channel email, the sender as contact, subject and text from the
  mail); its complaint id comes from the mail's Message-ID, its sender and a digest of its
  words (`delivery.mail_reading`), so a mail delivered twice by the sending server opens one
  case and a different mail that reuses a Message-ID opens its own;
- an answer to one of our messages — a genuine case reference (`delivery.letters`) in the
  address it was sent to or in `In-Reply-To`/`References`, from the address we wrote to —
  becomes that case's `customer_reply`; if the case has ended (its stage is done, even while
  its run still sends messages held for quiet hours), the re-open rules apply
  (`ComplaintDesk.reopen`: a new case linked to it, or the request to its open re-open);
- anything else (no reference, a forged or guessed one, a reference from another sender) opens
  a new case: never an error, never another customer's case.

The files a mail carries become evidence on the case it landed on (`evidence.store`): kept
within the limits (`EVIDENCE_*`), or listed on the case with why they were not kept.

The mail is accepted (250) only once Temporal has it; if Temporal cannot be reached the answer is
451 and the sending server tries again later, so nothing sent silently vanishes. A mail is
bounded (size, parts, nesting) before it is parsed and parsed off the event loop; one that cannot
be read is kept in the quarantine (`delivery.quarantine`) and answered without naming anything
of ours.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

import structlog
from pydantic import ValidationError
from temporalio.client import Client
from temporalio.common import MetricCounter
from temporalio.runtime import Runtime

from catalogue import render
from configuration.settings import Settings
from delivery.catcher import listen
from delivery.config import reply_secret
from delivery.letters import genuine, references
from delivery.mail_reading import Letter as Letter
from delivery.mail_reading import Limits, Reader, Unreadable
from delivery.mail_reading import read as read
from delivery.quarantine import Quarantine
from desk.errors import CaseNotFound, NotReady, Refused, Unreachable
from desk.service import ComplaintDesk, StartedCase
from evidence.store import Evidence, Upload
from schemas.actions import CustomerReply
from schemas.evidence import EvidenceSource
from schemas.intake import Channel, ComplaintIntake

log = structlog.get_logger("complaint_desk.email_in")
_RETRY = "451 4.3.0 " + render("mail_in.retry", "en")


def complaint_id_for(letter: Letter) -> str:
    """The same mail delivered twice opens one case; a different mail that reuses a Message-ID
    (another sender, other words) opens its own."""
    identity = letter.fingerprint or letter.message_id
    return "E-" + hashlib.sha256(identity.encode()).hexdigest()[:16].upper()


@dataclass(frozen=True)
class Taken:
    # "opened" | "repeat" (the same mail again: its case) | "replied" | "reopened" (a new linked
    # case) | "forwarded" (to the open re-open of the ended case the mail answers)
    action: str
    complaint_id: str


class MailIn:
    def __init__(
        self,
        desk: ComplaintDesk,
        secret: bytes,
        receiver: str | None = None,
        evidence: Evidence | None = None,
    ) -> None:
        """`receiver`: an agent recorded on every e-mailed complaint; None (the default): none,
        the case waits in a team's queue (`policies/routing.json`) until an agent takes it.
        `evidence`: where a mail's files are kept (None: a mail with files is not taken, 451,
        rather than its files dropped)."""
        self._desk = desk
        self._secret = secret
        self._receiver = receiver
        self._evidence = evidence

    async def take(self, letter: Letter) -> Taken:
        if letter.attachments and self._evidence is None:
            raise NotReady("e-mail in has no evidence store for this mail's files")
        taken = await self._take(letter)
        if self._evidence is not None:
            for position, attached in enumerate(letter.attachments):
                upload = Upload(attached.file_name, attached.declared_type, attached.data)
                await self._evidence.keep(
                    taken.complaint_id, upload, EvidenceSource.EMAIL, position=position
                )
        return taken

    async def _take(self, letter: Letter) -> Taken:
        if letter.sender:
            for reference in references(letter.recipients, letter.threading):
                if genuine(self._secret, reference, letter.sender):
                    answered = await self._answer(reference.complaint_id, letter)
                    if answered:
                        return answered
        return await self._open(letter)

    async def _answer(self, complaint_id: str, letter: Letter) -> Taken | None:
        reply = CustomerReply(text=letter.text, channel=Channel.EMAIL)
        try:  # the desk's rule: to an ended case, a follow-up case linked to it
            sent = await self._desk.act(complaint_id, "reply", reply)
        except CaseNotFound:
            return None  # no such case after all: the mail opens a new one
        assert isinstance(sent, StartedCase)
        if sent.created:
            return Taken("reopened", sent.complaint_id)
        return Taken(
            "replied" if sent.complaint_id == complaint_id else "forwarded", sent.complaint_id
        )

    async def _open(self, letter: Letter) -> Taken:
        customer: dict[str, Any] = (
            {
                "name": letter.name or letter.sender.split("@")[0],
                "contact": {"email": letter.sender},
            }
            if letter.sender
            else {"anonymous": True}
        )
        intake = ComplaintIntake.model_validate(
            {
                "complaint_id": complaint_id_for(letter),
                "customer": customer,
                "channel": Channel.EMAIL,
                **({"receiver": self._receiver} if self._receiver else {}),
                "subject": letter.subject,
                "description": letter.text,
                "language": letter.language,
            }
        )
        started = await self._desk.start(intake)
        return Taken("opened" if started.created else "repeat", started.complaint_id)


class MailInHandler:
    """aiosmtpd handler: 250 once Temporal has the mail, 451 (try later) if it is unreachable.

    A mail is never lost and an answer never names our internals: one that cannot be read
    (over the limits, or a structure no parser reads) is kept in the quarantine and refused
    with a plain 554 (the sender's server returns it to them with our text); one that fails
    for a reason of ours is kept too and answered 451, so the sender tries again once it is
    fixed. Each is counted (`complaint_mail_quarantined{reason}`) and logged by reason and
    size, never by sender or content."""

    def __init__(
        self,
        mail_in: MailIn,
        quarantine: Quarantine,
        reader: Reader | None = None,
        counter: MetricCounter | None = None,
    ) -> None:
        self._mail_in = mail_in
        self._quarantine = quarantine
        self._reader = reader or Reader(Limits())
        self._counter = counter
        self.quarantined: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.original_content or envelope.content
        try:
            letter = await self._reader.read(raw, list(envelope.rcpt_tos))
        except Unreadable as unreadable:
            await self._keep(raw, unreadable.reason)
            return "554 5.6.0 " + render("mail_in.unreadable", "en")
        try:
            taken = await self._mail_in.take(letter)
        except (Unreachable, NotReady, OSError) as err:
            log.warning("mail not taken, sender asked to retry", error=type(err).__name__)
            return _RETRY
        except Refused as err:  # the desk refuses it as it stands (e.g. an id taken)
            log.warning("mail refused", code=err.refusal.code.value)
            return f"550 5.7.0 {err.refusal.english()}"
        except ValidationError:  # our reading missed something: keep it, say it cannot be read
            await self._keep(raw, "invalid")
            return "554 5.6.0 " + render("mail_in.unreadable", "en")
        except Exception as err:  # a defect of ours: keep the mail, the retry may succeed
            log.error("mail not taken", error=type(err).__name__)
            await self._keep(raw, "not_taken")
            return _RETRY
        log.info("mail taken", action=taken.action, complaint_id=taken.complaint_id)
        return f"250 OK {taken.action} {taken.complaint_id}"

    async def handle_exception(self, error: Exception) -> str:
        """aiosmtpd's own answer to an error would be `500 Error: (IndexError) …`."""
        log.error("mail session failed", error=type(error).__name__)
        return _RETRY

    async def _keep(self, raw: bytes, reason: str) -> None:
        await asyncio.to_thread(self._quarantine.keep, raw, reason)
        self.quarantined[reason] += 1
        if self._counter is not None:
            self._counter.with_additional_attributes({"reason": reason}).add(1)


def limits(settings: Settings) -> Limits:
    return Limits(
        max_bytes=settings.mail_in_max_bytes,
        max_parts=settings.mail_in_max_parts,
        max_depth=settings.mail_in_max_depth,
    )


async def serve(client: Client, settings: Settings) -> asyncio.Server:
    """The listener `./dev up` and `complaint-desk mail-in` run (MAIL_IN_HOST, MAIL_IN_PORT);
    it opens the case store the first time a mail brings a file."""
    desk = ComplaintDesk(client)
    evidence = Evidence.configured(settings, desk)
    mail_in = MailIn(desk, reply_secret(settings), settings.mail_in_receiver, evidence)
    runtime = client.service_client.config.runtime or Runtime.default()
    counter = runtime.metric_meter.create_counter(
        "complaint_mail_quarantined", "Mails e-mail in kept in its quarantine, by reason"
    )
    reader = Reader(limits(settings), settings.mail_in_readers)
    handler = MailInHandler(mail_in, Quarantine(settings.quarantine_dir), reader, counter)
    return await listen(
        handler, settings.mail_in_host, settings.mail_in_port, settings.mail_in_max_bytes
    )
