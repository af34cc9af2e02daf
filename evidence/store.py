"""The one way a file becomes evidence, whatever door it came through (e-mail in, the customer's
progress page, the case page): look at it, keep its bytes by digest, write its row, record it on
the case.

    evidence = Evidence(pool, blobs_for(settings), limits(settings), desk)
    recorded = await evidence.keep(complaint_id, Upload(name, declared_type, data), source)

A file the desk does not take (`files.look`) is recorded as not kept, with why, and its bytes
are not stored. The row is written before the case is told (a case never names a file the store
does not have) and removed again if the case refuses it (it has ended), so nothing half-kept
remains.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from case_store.db import Pool, database_url, open_pool
from configuration.settings import Settings
from desk.service import ComplaintDesk
from evidence.files import IMAGES, Limits, limits, look, safe_name
from evidence.storage import Blobs, blobs_for, digest
from schemas.evidence import EvidenceFile, EvidenceSource, NotKept
from schemas.refusals import Refusal, RefusalCode


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: its name and type as claimed, its bytes."""

    file_name: str | None
    declared_type: str | None
    data: bytes


@dataclass(frozen=True)
class Kept:
    """A row of `evidence_files`: what a page lists and serves."""

    attachment_id: str
    complaint_id: str
    sha256: str
    size_bytes: int
    content_type: str
    file_name: str
    source: EvidenceSource
    added_by: str | None
    not_kept: NotKept | None
    added_at: datetime

    @property
    def image(self) -> bool:
        return self.not_kept is None and self.content_type in IMAGES


def refused(upload: Upload, why: NotKept) -> Refusal:
    """What a page says of a file it did not take."""
    return Refusal(
        RefusalCode.EVIDENCE_NOT_KEPT,
        {"file_name": safe_name(upload.file_name, "-"), "evidence_refusal": why.value},
    )


def attachment_id(complaint_id: str, sha256: str) -> str:
    """The same bytes on the same case are one attachment; on another case, another."""
    mixed = hashlib.sha256(f"{complaint_id}\x00{sha256}".encode()).hexdigest()
    return "F-" + mixed[:16].upper()


class Evidence:
    def __init__(
        self,
        pool: Pool | Callable[[], Awaitable[Pool]],
        blobs: Blobs,
        limits: Limits,
        desk: ComplaintDesk,
    ) -> None:
        """`pool`: the case store's, or how to open it when first needed (e-mail in, whose
        most mails bring no file)."""
        self._pool = pool
        self.blobs = blobs
        self.limits = limits
        self.desk = desk
        self._opening = asyncio.Lock()

    @classmethod
    def configured(
        cls, settings: Settings, desk: ComplaintDesk, pool: Pool | None = None
    ) -> Evidence:
        """As the settings say: the blob store, the limits, the case store (opened on first use
        unless given)."""

        async def opened() -> Pool:
            return await open_pool(await asyncio.to_thread(database_url, settings), max_size=2)

        return cls(pool or opened, blobs_for(settings), limits(settings), desk)

    async def pool(self) -> Pool:
        if isinstance(self._pool, Pool):
            return self._pool
        async with self._opening:
            if not isinstance(self._pool, Pool):
                self._pool = await self._pool()
        return self._pool

    def refusal(self, upload: Upload, position: int = 0) -> NotKept | None:
        """Why the desk would not keep this file (None: it would); the pages ask first, so an
        upload with one bad file stores nothing."""
        not_kept = look(upload.data, upload.declared_type, self.limits).not_kept
        if not_kept is None and position >= self.limits.max_files:
            return NotKept.TOO_MANY
        return not_kept

    async def keep(
        self,
        complaint_id: str,
        upload: Upload,
        source: EvidenceSource,
        added_by: str | None = None,
        position: int = 0,
    ) -> EvidenceFile:
        """Keep the file (or record why not) and tell the case; the same file again is the same
        attachment. `position`: its place among the files of one message (`EVIDENCE_MAX_FILES`).
        Raises what `ComplaintDesk.act` raises (no such case, the case has ended) with nothing
        left behind."""
        sha256 = digest(upload.data)
        looked = look(upload.data, upload.declared_type, self.limits)
        not_kept = self.refusal(upload, position)
        file = EvidenceFile(
            attachment_id=attachment_id(complaint_id, sha256),
            file_name=safe_name(upload.file_name, "file"),
            content_type=looked.content_type,
            size_bytes=len(upload.data),
            sha256=sha256,
            source=source,
            added_by=added_by,
            not_kept=not_kept,
        )
        if file.not_kept is None:
            await self.blobs.put(file.sha256, upload.data)
        async with (await self.pool()).acquire() as connection:
            new = await connection.fetchval(
                """INSERT INTO evidence_files (attachment_id, complaint_id, sha256, size_bytes,
                       content_type, file_name, source, added_by, not_kept)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                   ON CONFLICT (attachment_id) DO NOTHING
                   RETURNING true""",
                file.attachment_id,
                complaint_id,
                file.sha256,
                file.size_bytes,
                file.content_type,
                file.file_name,
                file.source.value,
                file.added_by,
                file.not_kept.value if file.not_kept else None,
            )
        try:
            await self.desk.act(complaint_id, "attach", file)
        except Exception:
            if new:  # the case did not take it: the row goes, the blob may serve another case
                async with (await self.pool()).acquire() as connection:
                    await connection.execute(
                        "DELETE FROM evidence_files WHERE attachment_id = $1", file.attachment_id
                    )
            raise
        return file

    async def of_case(self, complaint_id: str) -> list[Kept]:
        async with (await self.pool()).acquire() as connection:
            rows = await connection.fetch(
                "SELECT * FROM evidence_files WHERE complaint_id = $1 ORDER BY added_at, file_name",
                complaint_id,
            )
        return [_kept(row) for row in rows]

    async def find(self, complaint_id: str, attachment_id: str) -> Kept | None:
        """The file of that id on that case (None: no such file on it)."""
        async with (await self.pool()).acquire() as connection:
            row = await connection.fetchrow(
                "SELECT * FROM evidence_files WHERE attachment_id = $1 AND complaint_id = $2",
                attachment_id,
                complaint_id,
            )
        return _kept(row) if row else None

    async def bytes_of(self, kept: Kept) -> bytes:
        return await self.blobs.get(kept.sha256)


def _kept(row: asyncpg.Record) -> Kept:
    return Kept(
        attachment_id=row["attachment_id"],
        complaint_id=row["complaint_id"],
        sha256=row["sha256"],
        size_bytes=row["size_bytes"],
        content_type=row["content_type"],
        file_name=row["file_name"],
        source=EvidenceSource(row["source"]),
        added_by=row["added_by"],
        not_kept=NotKept(row["not_kept"]) if row["not_kept"] else None,
        added_at=row["added_at"],
    )
