"""Reading a mail that arrived by SMTP: bounded before it is parsed, parsed whatever it holds.

Python's e-mail parser is recursive and slow on huge part counts (a 3,000-deep multipart raised
RecursionError; 20,000 parts in 840 KiB took 4 to 8 s), and some broken headers raise from deep
inside it (`From: <` raised IndexError). So:

- `scan` looks at the raw bytes first (counts in the lower-cased bytes: milliseconds for the
  attacks above, about 0.2 s at the 25 MiB size limit) and refuses a mail over the size, part or nesting bounds before anything parses it;
- `read` parses what passed, and a header that cannot be parsed is read as plain text instead;
  only a mail that still cannot be read raises `Unreadable`, with a reason code that names no
  person (the e-mail-in listener keeps such a mail in its quarantine);
- `Reader` runs both on a small pool of threads, so a large mail never holds the event loop that
  also answers the API and the other mails.

A mail is identified by its `Message-ID`, its sender and a digest of what it says
(`Letter.fingerprint`): the same mail delivered twice is one, a different mail that reuses a
`Message-ID` is another.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage

from pydantic import TypeAdapter, ValidationError

from delivery.letters import addresses, sender_address, sender_name
from schemas.intake import Language
from schemas.text import SUBJECT_MAX, TEXT_MAX, Email

_EMAIL = TypeAdapter(Email)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|回复|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)
_QUOTE_HEADER = re.compile(r"^(On .+ wrote:|.*写道[:：])\s*$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TAGS = re.compile(r"<[^>]+>")

# What the parser will be asked to build: one Content-Type header per part, one boundary
# parameter per multipart (RFC 2231 splits it as boundary*0=), one delimiter line per part.
# Matched in the lower-cased bytes, case-sensitively: the fast path of `re` and `bytes.count`.
_BOUNDARY = re.compile(rb"boundary\*?\d*\*?[ \t]*=")
_BOUNDARY_VALUE = re.compile(rb'boundary[ \t]*=[ \t]*"?([^"\s;]+)')
_HEADER_END = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True)
class Limits:
    """Bounds a mail must keep to be parsed (`MAIL_IN_MAX_BYTES`, `_MAX_PARTS`, `_MAX_DEPTH`)."""

    max_bytes: int = 25 * 1024 * 1024
    max_parts: int = 200
    # Every multipart in the mail counts, so this bounds how deep they nest, too.
    max_depth: int = 20


class Unreadable(Exception):
    """A mail that is not read. `reason` is a code for logs and file names, never its content."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Attached:
    """A file the mail carries, as it claims to be (evidence/ decides what it is)."""

    file_name: str | None
    declared_type: str
    data: bytes


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
    # The Message-ID, the sender and a digest of the subject and body: what makes two
    # deliveries the same mail (trace headers that relays add are left out).
    fingerprint: str = ""
    attachments: tuple[Attached, ...] = ()


def scan(raw: bytes, limits: Limits) -> None:
    """Refuse, from the raw bytes alone, a mail the parser should not be given."""
    if len(raw) > limits.max_bytes:
        raise Unreadable("too_large")
    lowered = b"\n" + raw.lower()  # same offsets + 1: ASCII-only, a line before the first
    declared = len(_BOUNDARY.findall(lowered))
    if declared > limits.max_depth:
        raise Unreadable("too_deep")
    parts = lowered.count(b"\ncontent-type:")
    if parts > limits.max_parts or _delimiters(raw, lowered, declared) > limits.max_parts:
        raise Unreadable("too_many_parts")


def _delimiters(raw: bytes, lowered: bytes, declared: int) -> int:
    """Lines that open a part (a part needs no Content-Type header, only its delimiter line).
    A boundary written in RFC 2231 pieces is not matched by value: every `--` line counts then."""
    if not declared:
        return 0
    found = list(_BOUNDARY_VALUE.finditer(lowered))
    if len(found) < declared:
        return lowered.count(b"\n--")
    values = {raw[m.start(1) - 1 : m.end(1) - 1] for m in found}  # as written: case matters
    text = b"\n" + raw
    opened = sum(text.count(b"\n--" + v) for v in values)
    return opened - sum(text.count(b"\n--" + v + b"--") for v in values)


def read(raw: bytes, envelope_recipients: list[str], limits: Limits | None = None) -> Letter:
    """The letter in `raw`, or `Unreadable` (over the limits, or a structure no parser reads)."""
    scan(raw, limits or Limits())
    try:
        return _read(raw, envelope_recipients)
    except RecursionError as err:
        raise Unreadable("too_deep") from err
    except Exception as err:  # a parser defect on hostile input: the mail is kept, not read
        raise Unreadable("unparseable") from err


def _read(raw: bytes, envelope_recipients: list[str]) -> Letter:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    from_header = _header(message, "From")
    sender = sender_address(from_header)
    try:
        valid: str | None = _EMAIL.validate_python(sender)
    except ValidationError:
        valid = None
    text = _text(message)
    raw_subject = _header(message, "Subject")
    subject = _line(_REPLY_PREFIX.sub("", raw_subject))[:SUBJECT_MAX]
    language = Language.ZH if _CJK.search(subject + text) else Language.EN
    subject = subject or ("邮件投诉" if language is Language.ZH else "Complaint by e-mail")
    ident = _header(message, "Message-ID").strip() or hashlib.sha256(raw).hexdigest()
    name = _line(sender_name(from_header) or "")[:SUBJECT_MAX]
    written_to = [*_headers(message, "To"), *_headers(message, "Cc")]
    return Letter(
        message_id=ident,
        sender=valid,
        name=name or None,
        subject=subject,
        text=(text or subject)[:TEXT_MAX],
        language=language,
        recipients=[*envelope_recipients, *addresses(written_to)],
        threading=[_header(message, "In-Reply-To"), _header(message, "References")],
        fingerprint=fingerprint(raw, ident, sender, raw_subject),
        attachments=_attachments(message),
    )


def fingerprint(raw: bytes, message_id: str, sender: str, subject: str) -> str:
    """Relays add trace headers (`Received`, …) but never change the body: the body's bytes,
    line endings made alike, with the Message-ID, the sender and the subject."""
    found = _HEADER_END.search(raw)
    body = raw[found.end() :] if found else b""
    body = body.replace(b"\r\n", b"\n").rstrip()
    material = b"\n".join(
        [message_id.encode(), sender.encode(), subject.encode(), hashlib.sha256(body).digest()]
    )
    return hashlib.sha256(material).hexdigest()


def _header(message: EmailMessage, name: str) -> str:
    found = _headers(message, name)
    return found[0] if found else ""


def _headers(message: EmailMessage, name: str) -> list[str]:
    """A header's values; one the structured parser chokes on (`From: <` raised IndexError) is
    decoded as plain text instead, so the mail is still read."""
    try:
        return [str(value) for value in message.get_all(name, [])]
    except Exception:
        return [_plain(value) for key, value in message.raw_items() if key.lower() == name.lower()]


def _plain(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # a broken encoded word: keep the text as it came
        return value


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


def _attachments(message: EmailMessage) -> tuple[Attached, ...]:
    """Every part that is a file: named, or sent as an attachment, or not the mail's own text
    (an inline photo counts; the plain and HTML bodies do not)."""
    body = message.get_body(preferencelist=("plain", "html"))
    found: list[Attached] = []
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        assert isinstance(part, EmailMessage)
        try:
            name = part.get_filename()
        except Exception:  # a broken RFC 2231 name: the file is kept, unnamed
            name = None
        disposition = part.get_content_disposition()
        if name is None and disposition != "attachment" and part.get_content_maintype() == "text":
            continue  # an alternative body (the other of plain and HTML), not a file
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            found.append(Attached(_line(name) if name else None, part.get_content_type(), data))
    return tuple(found)


class Reader:
    """`read` (the scan, then the parse) on a few threads of its own: the event loop keeps
    answering while a mail is scanned and parsed, and many large mails at once wait for a
    thread instead of taking every one."""

    def __init__(self, limits: Limits, threads: int = 2) -> None:
        self.limits = limits
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="mail-reader")

    async def read(self, raw: bytes, envelope_recipients: list[str]) -> Letter:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, read, raw, envelope_recipients, self.limits)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
