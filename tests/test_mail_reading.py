"""Reading mail, fast and without servers: the bounds are found in the raw bytes, whichever way
a part or a boundary is written; a relay's trace headers do not make a mail another; the
quarantine keeps a mail once, privately."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from delivery.mail_reading import Limits, Unreadable, read, scan
from delivery.quarantine import Quarantine

LIMITS = Limits(max_bytes=1024 * 1024, max_parts=10, max_depth=3)


def multipart(parts: int, boundary_parameter: str = 'boundary="B"', headers: bool = False) -> bytes:
    part = b"--B\r\n" + (b"Content-Type: text/plain\r\n" if headers else b"") + b"\r\nhi\r\n"
    head = f"From: a@example.com\r\nContent-Type: multipart/mixed; {boundary_parameter}\r\n\r\n"
    return head.encode() + part * parts + b"--B--\r\n"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (multipart(11), "too_many_parts"),  # parts without headers: counted by delimiter
        (multipart(11, headers=True), "too_many_parts"),
        (multipart(11, "boundary*0=B"), "too_many_parts"),  # RFC 2231: every -- line counts
        (multipart(11, "BOUNDARY = B"), "too_many_parts"),
        (b"Content-Type: multipart/mixed; boundary=x\r\n" * 4, "too_deep"),
        (b"x" * (1024 * 1024 + 1), "too_large"),
    ],
)
def test_a_mail_over_a_bound_is_refused_before_it_is_parsed(raw: bytes, reason: str) -> None:
    with pytest.raises(Unreadable) as refused:
        scan(raw, LIMITS)
    assert refused.value.reason == reason


def test_a_mail_within_the_bounds_reads_and_dashes_in_its_text_do_not_count() -> None:
    text = b"-- \r\nLi Hua\r\n" + b"------\r\n" * 50  # a signature and a ruler, not parts
    raw = b"From: a@example.com\r\nSubject: s\r\n\r\n" + text
    scan(raw, LIMITS)
    assert read(multipart(10), [], LIMITS).text == "hi"


def test_scanning_a_mail_at_the_size_limit_is_cheap() -> None:
    raw = multipart(1) + (b"A" * 76 + b"\r\n") * (24 * 1024 * 1024 // 78)
    began = time.perf_counter()
    scan(raw, Limits())
    assert time.perf_counter() - began < 1  # milliseconds; parsing it takes seconds


def test_a_relay_does_not_make_a_mail_another_but_other_words_do() -> None:
    raw = b"From: a@example.com\r\nSubject: s\r\nMessage-ID: <m@x>\r\n\r\nhello\r\n"
    relayed = b"Received: from relay.example.net\r\n" + raw
    other = raw.replace(b"hello", b"hullo")
    assert read(raw, []).fingerprint == read(relayed, []).fingerprint
    assert read(raw, []).fingerprint != read(other, []).fingerprint


def test_the_quarantine_keeps_a_mail_once_privately(tmp_path: Path) -> None:
    quarantine = Quarantine(tmp_path / "q")
    raw = b"From: li.hua@example.com\r\n\r\nsecret words\r\n"
    first = quarantine.keep(raw, "too_deep")
    assert quarantine.keep(raw, "too_deep") == first and quarantine.count() == 1
    assert first.read_bytes() == raw and "li.hua" not in first.name
    assert oct(first.stat().st_mode)[-3:] == "600"
    assert oct((tmp_path / "q").stat().st_mode)[-3:] == "700"
