"""The e-mail a notification becomes, and the case references an answer to it carries back.

Every reference to a case — the reply address `case+<id>=<token>@…`, the `Message-ID`, the
`References` thread root — carries a token: an HMAC of the complaint id and the address we wrote
to, under a secret only the desk knows. An answer counts as that case's reply only when the token
matches the complaint id *and the sender*: a guessed id, a forged header or a forwarded mail from
someone else opens a new case instead, and nothing about the case's contact is stored or looked up
to decide it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, parseaddr
from urllib.parse import quote, unquote

from delivery import texts
from delivery.texts import LetterSettings
from schemas.intake import Channel, Language
from schemas.notification import Audience, Notification

TOKEN_LENGTH = 16
CUSTOMER = "customer"


@dataclass(frozen=True)
class CaseReference:
    complaint_id: str
    token: str


def token(secret: bytes, complaint_id: str, address: str, role: str = CUSTOMER) -> str:
    """Binds a complaint id to the one address we wrote to about it, and to its role: a staff
    member answering a notification by mail is never taken for the customer."""
    material = f"{complaint_id}\n{address.strip().lower()}\n{role}"
    return hmac.new(secret, material.encode(), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def genuine(secret: bytes, reference: CaseReference, sender: str) -> bool:
    """Only the customer we wrote to, answering from that address, matches."""
    return hmac.compare_digest(token(secret, reference.complaint_id, sender), reference.token)


def role(notification: Notification) -> str:
    return CUSTOMER if notification.audience is Audience.CUSTOMER else "staff"


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1]


def _tag(complaint_id: str, tok: str) -> str:
    # Complaint ids may hold ':' or '@'; percent-encoded they are plain atext in an address.
    return f"{quote(complaint_id, safe='-_.')}={tok}"


def reply_to(settings: LetterSettings, complaint_id: str, address: str, role: str) -> str:
    local, domain = settings.reply_address.rsplit("@", 1)
    tok = token(settings.secret, complaint_id, address, role)
    return f"{local}+case+{_tag(complaint_id, tok)}@{domain}"


def message_id(settings: LetterSettings, notification: Notification, address: str) -> str:
    """Deterministic: the same notification key gives the same id on every retry, so a receiver
    that saw the first attempt can drop the second."""
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:24]
    tok = token(settings.secret, notification.complaint_id, address, role(notification))
    domain = _domain(settings.reply_address)
    return f"<{digest}.case+{_tag(notification.complaint_id, tok)}@{domain}>"


def thread_root(settings: LetterSettings, complaint_id: str, address: str, role: str) -> str:
    tok = token(settings.secret, complaint_id, address, role)
    return f"<case+{_tag(complaint_id, tok)}@{_domain(settings.reply_address)}>"


def compose(settings: LetterSettings, notification: Notification, address: str) -> EmailMessage:
    """The e-mail: the letter in a plain-text and an HTML part (`delivery.texts`), threaded on the
    case, with a subject that names only the complaint id."""
    n = notification
    letter = texts.letter(settings, n)
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = address
    message["Reply-To"] = reply_to(settings, n.complaint_id, address, role(n))
    message["Subject"] = letter.subject
    message["Message-ID"] = message_id(settings, n, address)
    root = thread_root(settings, n.complaint_id, address, role(n))
    message["In-Reply-To"] = root
    message["References"] = root
    message["Date"] = formatdate(usegmt=True)
    message["X-Complaint-Id"] = n.complaint_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(texts.plain(letter))
    message.add_alternative(texts.page(letter), subtype="html")
    # After the parts: making the message multipart moves Content-* headers into its first part.
    message["Content-Language"] = letter.language
    return message


@dataclass(frozen=True)
class Preview:
    subject: str
    plain: str
    html: str


def preview(
    settings: LetterSettings,
    complaint_id: str,
    text: str,
    language: Language,
    channel: Channel,
    customer: str | None,
) -> Preview:
    """The letter an agent's message becomes, exactly as `compose` would send it to the
    customer, sending nothing: the case page's "preview" button."""
    facts = {"text": text} | ({"customer": customer} if customer else {})
    n = Notification(
        key="preview",
        complaint_id=complaint_id,
        audience=Audience.CUSTOMER,
        recipient=None,
        topic="agent_message",
        text="preview",
        facts=facts,
        channel=channel,
        language=language,
    )
    letter = texts.letter(settings, n)
    return Preview(letter.subject, texts.plain(letter), texts.page(letter))


_TAG = re.compile(rf"case\+([A-Za-z0-9%_.-]+)=([0-9a-f]{{{TOKEN_LENGTH}}})@")


def references(recipients: list[str], headers: list[str]) -> list[CaseReference]:
    """Every case reference in the addresses a mail was sent to and in its threading headers
    (`In-Reply-To`, `References`), in that order, without repeats."""
    found: list[CaseReference] = []
    for text in [*recipients, *headers]:
        for quoted, tok in _TAG.findall(text or ""):
            reference = CaseReference(unquote(quoted), tok)
            if reference not in found:
                found.append(reference)
    return found


def sender_address(from_header: str) -> str:
    return parseaddr(from_header)[1].strip().lower()


def sender_name(from_header: str) -> str | None:
    name = parseaddr(from_header)[0].strip()
    return name or None


def addresses(values: list[str]) -> list[str]:
    return [a for _, a in getaddresses(values) if a]
