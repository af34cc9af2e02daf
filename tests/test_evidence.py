"""Evidence files and canned replies below the pages: what a file is (its bytes, not its claim),
the limits, the blob store by digest, the rows and the case's record of them, and canned replies
filled with a case's facts or refused with the fact that is missing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from case_store.db import Pool
from configuration.settings import Settings
from desk.errors import CaseEnded
from evidence import canned
from evidence.canned import CannedRefused, CaseFacts
from evidence.files import limits, look, safe_name, sniff
from evidence.storage import BlobMissing, FileBlobs, digest
from evidence.store import Evidence, Upload
from schemas import EntryKind
from schemas.evidence import EvidenceSource, NotKept
from schemas.refusals import RefusalCode
from tests.support.desk import Desk, eventually
from tests.support.evidence import HTML, JPEG, PDF, PNG

LIMITS = limits(Settings(evidence_max_bytes=4096, evidence_max_files=2))


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (PDF, "application/pdf"),
        ("地板泡坏了\n".encode(), "text/plain"),
        (HTML, "text/html"),
        (b"<svg onload=alert(1)>", "text/html"),
        (b"MZ\x90\x00\x03\x00\x00\x00\xff\xfe", "application/octet-stream"),
    ],
)
def test_a_file_is_what_its_bytes_say(data: bytes, found: str) -> None:
    assert sniff(data) == found


def test_the_desk_keeps_a_file_only_within_the_limits_and_as_what_it_is() -> None:
    assert look(PNG, "image/png", LIMITS).not_kept is None
    assert look(PNG, "application/octet-stream", LIMITS).not_kept is None  # said nothing
    assert look(PNG, "IMAGE/PNG; name=a.png", LIMITS).not_kept is None
    assert look(HTML, "image/png", LIMITS).not_kept is NotKept.TYPE_NOT_ALLOWED  # never markup
    assert look(PDF, "image/jpeg", LIMITS).not_kept is NotKept.TYPE_MISMATCH
    assert look(b"x" * 4097, "text/plain", LIMITS).not_kept is NotKept.TOO_LARGE
    assert look(b"", "text/plain", LIMITS).not_kept is NotKept.EMPTY
    assert look(b"a,b\n1,2\n", "text/csv", LIMITS).not_kept is None  # text is text
    # markup stays out even if an operator lists it
    assert "text/html" not in limits(Settings(evidence_types="text/html,image/png")).types


def test_a_file_name_is_one_safe_line() -> None:
    assert safe_name("../../etc/passwd", "file") == "passwd"
    assert safe_name('C:\\Users\\li\\漏水 "1".jpg', "file") == "漏水 1.jpg"
    assert safe_name("\x00\n", "file") == "file"


async def test_the_blob_store_keeps_one_copy_by_digest_and_checks_what_it_reads(
    tmp_path: Path,
) -> None:
    blobs = FileBlobs(tmp_path / "evidence")
    sha = digest(PNG)
    await blobs.put(sha, PNG)
    await blobs.put(sha, PNG)  # again: nothing changes
    stored = list((tmp_path / "evidence").rglob("*"))
    assert [p.name for p in stored if p.is_file()] == [sha]
    assert (tmp_path / "evidence").stat().st_mode & 0o777 == 0o700
    assert next(p for p in stored if p.is_file()).stat().st_mode & 0o777 == 0o600
    assert await blobs.get(sha) == PNG
    next(p for p in stored if p.is_file()).write_bytes(b"altered")
    with pytest.raises(BlobMissing):
        await blobs.get(sha)
    with pytest.raises(BlobMissing):
        await blobs.get("0" * 64)


async def test_a_file_is_kept_once_on_its_case_and_a_refused_one_is_listed_with_why(
    desk: Desk, pool: Pool, tmp_path: Path
) -> None:
    settings = Settings(complaint_desk_home=tmp_path, evidence_max_bytes=4096)
    evidence = Evidence.configured(settings, desk.api, pool)
    cid = await desk.open()
    photo = Upload("漏水.png", "image/png", PNG)
    first = await evidence.keep(cid, photo, EvidenceSource.CUSTOMER)
    again = await evidence.keep(cid, photo, EvidenceSource.CUSTOMER)
    assert first == again and first.not_kept is None
    page = await evidence.keep(cid, Upload("x.png", "image/png", HTML), EvidenceSource.EMAIL)
    assert page.not_kept is NotKept.TYPE_NOT_ALLOWED

    rows = await evidence.of_case(cid)
    assert [(r.file_name, r.not_kept) for r in rows] == [
        ("漏水.png", None),
        ("x.png", NotKept.TYPE_NOT_ALLOWED),
    ]
    assert await evidence.bytes_of(rows[0]) == PNG
    assert not (tmp_path / "evidence" / digest(HTML)[:2]).exists()  # refused: no bytes kept

    async def recorded() -> list[dict[str, str]] | None:
        kinds = (EntryKind.EVIDENCE_ADDED, EntryKind.EVIDENCE_NOT_KEPT)
        found = [e.facts for e in await desk.api.timeline(cid) if e.kind in kinds]
        return found if len(found) == 2 else None

    added, refused = await eventually(recorded)
    assert added["attachment_id"] == first.attachment_id
    assert added["sha256"] == digest(PNG) and added["size_bytes"] == str(len(PNG))
    assert refused["evidence_refusal"] == "type_not_allowed"
    # the case's own record holds the file's name and digest, never its bytes
    assert all(PNG.hex() not in str(v) for v in added.values())


async def test_a_file_for_an_ended_case_leaves_nothing_behind(
    desk: Desk, pool: Pool, tmp_path: Path
) -> None:
    evidence = Evidence.configured(Settings(complaint_desk_home=tmp_path), desk.api, pool)
    cid = await desk.open()
    await desk.api.act(cid, "merge", {"into": await desk.open(), "by": "sup-li", "reason": "重复"})
    await desk.until(cid, lambda s: s.stage.value == "done")
    with pytest.raises(CaseEnded):
        await evidence.keep(cid, Upload("a.pdf", "application/pdf", PDF), EvidenceSource.STAFF)
    assert await evidence.of_case(cid) == []


FACTS = CaseFacts("C-1", "王小明", datetime(2026, 12, 8, 1, 30, tzinfo=UTC))


def test_a_canned_reply_is_filled_with_the_cases_facts_in_its_language() -> None:
    text = "{customer_name}，您的投诉（{complaint_id}）将在 {promised_at} 前答复。"
    assert canned.fill(text, FACTS, "zh") == "王小明，您的投诉（C-1）将在 12月8日 09:30 前答复。"
    assert canned.fill("by {promised_at}", FACTS, "en") == "by 8 Dec 09:30"


def test_a_canned_reply_naming_what_the_case_lacks_or_no_case_has_is_refused() -> None:
    anonymous = CaseFacts("C-2", None, None)
    with pytest.raises(CannedRefused) as missing:
        canned.fill("您好 {customer_name}", anonymous, "zh")
    assert missing.value.refusal.code is RefusalCode.CANNED_FACT_MISSING
    assert missing.value.refusal.params == {"placeholder": "customer_name"}
    for broken in ("{order_no}", "{complaint_id!r}", "{complaint_id.__class__}", "{0}"):
        with pytest.raises(CannedRefused) as unknown:
            canned.placeholders(broken)
        assert unknown.value.refusal.code is RefusalCode.CANNED_UNKNOWN_PLACEHOLDER, broken
    with pytest.raises(CannedRefused) as brace:
        canned.placeholders("a { b")
    assert brace.value.refusal.code is RefusalCode.CANNED_BROKEN_PLACEHOLDER


async def test_canned_replies_are_seeded_in_both_languages_and_saved_only_when_valid(
    pool: Pool,
) -> None:
    async with pool.acquire() as connection:
        seeded = await canned.all_replies(connection)
        names = {r.name for r in seeded}
        assert len(names) >= 5
        assert {(n, lang) for n in names for lang in canned.LANGUAGES} == {
            (r.name, r.lang) for r in seeded
        }
        for reply in seeded:
            canned.fill(reply.body, FACTS, reply.lang)  # every seed fills from a whole case
        with pytest.raises(CannedRefused):
            await canned.save(connection, "order", "zh", "订单", "订单号 {order_no}", "sup-li")
        assert await canned.reply(connection, "order", "zh") is None
        await canned.save(connection, "order", "zh", "订单", "编号 {complaint_id}", "sup-li")
        saved = await canned.reply(connection, "order", "zh")
        assert saved is not None and saved.updated_by == "sup-li"
