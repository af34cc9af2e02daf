"""E-mail in: an SMTP listener (aiosmtpd) that turns each mail into a case action.

- a new mail opens a complaint (channel email, the sender as contact, subject and text from the
  mail); its complaint id comes from the mail's Message-ID, so a mail delivered twice by the
  sending server opens one case;
- an answer to one of our messages — a genuine case reference (`delivery.letters`) in the
  address it was sent to or in `In-Reply-To`/`References`, from the address we wrote to —
  becomes that case's `customer_reply`; if the case has ended (its stage is done, even while
  its run still sends messages held for quiet hours), the re-open rules apply
  (`ComplaintDesk.reopen`: a new case linked to it, or the request to its open re-open);
- anything else (no reference, a forged or guessed one, a reference from another sender) opens
  a new case: never an error, never another customer's case.

The mail is accepted (250) only once Temporal has it; if Temporal cannot be reached the answer is
451 and the sending server tries again later, so nothing sent silently vanishes.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import structlog
from pydantic import TypeAdapter, ValidationError
from temporalio.client import Client

from configuration.settings import Settings
from delivery.catcher import listen
from delivery.config import reply_secret
from delivery.letters import addresses, genuine, references, sender_address, sender_name
from desk.errors import CaseNotFound, NotReady, Refused, Unreachable
from desk.service import ComplaintDesk, StartedCase
from schemas.actions import CustomerReply
from schemas.intake import Channel, ComplaintIntake, Language
from schemas.text import SUBJECT_MAX, TEXT_MAX, Email

log = structlog.get_logger("complaint_desk.email_in")

_EMAIL = TypeAdapter(Email)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|回复|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)
_QUOTE_HEADER = re.compile(r"^(On .+ wrote:|.*写道[:：])\s*$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Letter:
    """What a mail says, made safe for the intake's fields."""

    message_id: str
    sender: str | None  # a valid address, lower-case; None if the mail has none
    name: str | None
    subject: str
    text: str
    language: Language
    recipients: list[str]
    threading: list[str]


def read(raw: bytes, envelope_recipients: list[str]) -> Letter:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    sender = sender_address(str(message.get("From", "")))
    try:
        valid: str | None = _EMAIL.validate_python(sender)
    except ValidationError:
        valid = None
    text = _text(message)
    subject = _line(_REPLY_PREFIX.sub("", str(message.get("Subject", ""))))[:SUBJECT_MAX]
    language = Language.ZH if _CJK.search(subject + text) else Language.EN
    subject = subject or ("邮件投诉" if language is Language.ZH else "Complaint by e-mail")
    ident = str(message.get("Message-ID", "")).strip() or hashlib.sha256(raw).hexdigest()
    name = _line(sender_name(str(message.get("From", ""))) or "")[:SUBJECT_MAX]
    written_to = [str(v) for v in [*message.get_all("To", []), *message.get_all("Cc", [])]]
    return Letter(
        message_id=ident,
        sender=valid,
        name=name or None,
        subject=subject,
        text=(text or subject)[:TEXT_MAX],
        language=language,
        recipients=[*envelope_recipients, *addresses(written_to)],
        threading=[str(message.get("In-Reply-To", "")), str(message.get("References", ""))],
    )


def _line(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _text(message: EmailMessage) -> str:
    """The new words of the mail: the plain part (or the HTML part's text), without the quoted
    message it answers."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset: keep what can be read
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        content = html.unescape(_TAGS.sub(" ", content))
    kept: list[str] = []
    for line in content.splitlines():
        if _QUOTE_HEADER.match(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            kept.append(_CONTROL.sub(" ", line).rstrip())
    return "\n".join(kept).strip()


def complaint_id_for(letter: Letter) -> str:
    return "E-" + hashlib.sha256(letter.message_id.encode()).hexdigest()[:16].upper()


@dataclass(frozen=True)
class Taken:
    # "opened" | "repeat" (the same mail again: its case) | "replied" | "reopened" (a new linked
    # case) | "forwarded" (to the open re-open of the ended case the mail answers)
    action: str
    complaint_id: str


class MailIn:
    def __init__(self, desk: ComplaintDesk, secret: bytes, receiver: str | None = None) -> None:
        """`receiver`: an agent recorded on every e-mailed complaint; None (the default): none,
        the case waits in a team's queue (`policies/routing.json`) until an agent takes it."""
        self._desk = desk
        self._secret = secret
        self._receiver = receiver

    async def take(self, letter: Letter) -> Taken:
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
    """aiosmtpd handler: 250 once Temporal has the mail, 451 (try later) if it is unreachable."""

    def __init__(self, mail_in: MailIn) -> None:
        self._mail_in = mail_in

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        try:
            letter = read(envelope.original_content or envelope.content, list(envelope.rcpt_tos))
            taken = await self._mail_in.take(letter)
        except (Unreachable, NotReady, OSError) as err:
            log.warning("mail not taken, sender asked to retry", error=type(err).__name__)
            return "451 4.3.0 The desk cannot take mail right now; try again later"
        except Refused as err:  # another mail under a Message-ID we already have (IdTaken)
            log.warning("mail refused", code=err.refusal.code.value)
            return f"550 5.7.0 {err.refusal.english()}"
        except ValidationError as err:  # our sanitising missed something: say so, keep nothing
            log.error("mail refused", error=str(err.errors()[0]["type"]))
            return "550 5.6.0 This mail cannot be read as a complaint"
        log.info("mail taken", action=taken.action, complaint_id=taken.complaint_id)
        return f"250 OK {taken.action} {taken.complaint_id}"


async def serve(client: Client, settings: Settings) -> asyncio.Server:
    """The listener `./dev up` and `complaint-desk mail-in` run (MAIL_IN_HOST, MAIL_IN_PORT)."""
    mail_in = MailIn(ComplaintDesk(client), reply_secret(settings), settings.mail_in_receiver)
    return await listen(MailInHandler(mail_in), settings.mail_in_host, settings.mail_in_port)
