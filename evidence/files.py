"""What a file is, read from its bytes, and whether the desk keeps it.

A declared content type (a mail part's, a browser's) is a claim: the desk sniffs the first bytes
and keeps the type it found. A file whose bytes are not one of the allowed types, or that claims
another type than its bytes show (a page of HTML sent as `image/png`), is not kept. No type that
a browser would run (HTML, SVG, scripts) is ever allowed, so a file served back is inert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from configuration.settings import Settings
from schemas.evidence import NotKept

IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# Declared types that say nothing about the bytes: the sniffed type decides.
_UNSAID = frozenset({"", "application/octet-stream", "binary/octet-stream"})
# Declared types a zip container's bytes may honestly claim (office documents are zips).
_ZIPS = frozenset(
    {
        "application/zip",
        "application/x-zip-compressed",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/mp3": "audio/mpeg",
    "audio/mp4": "video/mp4",
}
_MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)", re.I)


# Whatever the settings say, a browser must never be handed markup from a file.
_NEVER = frozenset({"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml"})


@dataclass(frozen=True)
class Limits:
    """`EVIDENCE_MAX_BYTES`, `EVIDENCE_TYPES`, `EVIDENCE_MAX_FILES`."""

    max_bytes: int
    types: frozenset[str]
    max_files: int


def limits(settings: Settings) -> Limits:
    return Limits(
        max_bytes=settings.evidence_max_bytes,
        types=frozenset(t.strip().lower() for t in settings.evidence_types.split(",") if t.strip())
        - _NEVER,
        max_files=settings.evidence_max_files,
    )


def sniff(data: bytes) -> str:
    """The content type the bytes show; `application/octet-stream` when none the desk knows,
    `text/html` for anything a browser would read as markup."""
    head = data[:512]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if _MARKUP.search(head):
        return "text/html"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    if "\x00" in text:
        return "application/octet-stream"
    return "text/plain"


def declared_type(value: str | None) -> str:
    """A declared type without its parameters, lower-case, common aliases made one."""
    bare = (value or "").split(";", 1)[0].strip().lower()
    return _ALIASES.get(bare, bare)


@dataclass(frozen=True)
class Looked:
    content_type: str  # what the bytes are (sniffed)
    not_kept: NotKept | None


def look(data: bytes, declared: str | None, limits: Limits) -> Looked:
    """What the file is and whether it may be kept."""
    found = sniff(data)
    claimed = declared_type(declared)
    if not data:
        return Looked(found, NotKept.EMPTY)
    if len(data) > limits.max_bytes:
        return Looked(found, NotKept.TOO_LARGE)
    if found not in limits.types:
        return Looked(found, NotKept.TYPE_NOT_ALLOWED)
    if claimed not in _UNSAID and claimed != found and not _honest(found, claimed):
        return Looked(found, NotKept.TYPE_MISMATCH)
    return Looked(found, None)


def _honest(found: str, claimed: str) -> bool:
    """A claim that differs from the sniffed type and is still true: an office document is a
    zip, a CSV or a log is plain text."""
    if found == "application/zip":
        return claimed in _ZIPS
    return found == "text/plain" and claimed.startswith("text/") and claimed != "text/html"


def safe_name(name: str | None, fallback: str) -> str:
    """A file name fit for one line and a header: no path, no control characters, bounded."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\"]", "", base).strip().strip(".")
    return (base or fallback)[:120]
