"""Trained heads as data (migration 0013): candidates a scheduled run proposed with their report,
what a supervisor decided, and which head every grade uses now.

Workers and web servers are stateless and many, so the head in use cannot be a file on one of
them: it is the last head adopted in `grading_adoptions` and not rolled back since, and while
there is none, the policy's own head (`policies/grading.json`, `grading/heads/`), shown here as
None. Adoption and rollback are rows, so who did what and when stays readable.

    version = await in_use(connection)      # None: the policy's head

Who may adopt, reject or roll back, and when each is refused, is the desk's
(`desk.grading.adopt` …); this module reads and writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import asyncpg

_LOCK_KEY = 0x67726164  # "grad"


class HeadStatus(StrEnum):
    CANDIDATE = "candidate"  # proposed, waiting for a supervisor
    ADOPTED = "adopted"  # adopted at least once (in use, or rolled back since)
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a newer candidate came before anyone decided


@dataclass(frozen=True)
class StoredHead:
    """A head in the store and what became of it; `report` is `schemas.grading` figures as
    JSON (`CandidateReport`)."""

    version: str
    encoder: str
    status: HeadStatus
    based_on: str
    report: dict[str, Any]
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class Adoption:
    """One adoption or rollback; `version` None is the policy's own head."""

    version: str | None
    previous: str | None
    rollback: bool
    by: str
    at: datetime


_COLUMNS = "version, encoder, status, based_on, report, proposed_at, decided_by, decided_at"


def _head(row: asyncpg.Record) -> StoredHead:
    report = row["report"]
    return StoredHead(
        row["version"],
        row["encoder"],
        HeadStatus(row["status"]),
        row["based_on"],
        json.loads(report) if isinstance(report, str) else dict(report or {}),
        row["proposed_at"],
        row["decided_by"],
        row["decided_at"],
    )


async def adoptions(connection: asyncpg.Connection) -> list[Adoption]:
    rows = await connection.fetch(
        "SELECT version, previous, rollback, by, at FROM grading_adoptions ORDER BY seq"
    )
    return [Adoption(r["version"], r["previous"], r["rollback"], r["by"], r["at"]) for r in rows]


def heads_in_force(history: list[Adoption]) -> list[str | None]:
    """The heads adopted and not rolled back, oldest first, the policy's own (None) at the
    bottom: an adoption puts one on top, a rollback takes it off; the last is in use."""
    stack: list[str | None] = [None]
    for a in history:
        if a.rollback:
            stack.pop()
        else:
            stack.append(a.version)
    return stack


async def in_use(connection: asyncpg.Connection) -> str | None:
    """The version every new grade uses; None: the policy's own head. One short read, made by
    each classification, so an adoption applies to the next complaint on every worker."""
    row = await connection.fetchrow(
        "SELECT version, rollback, previous FROM grading_adoptions ORDER BY seq DESC LIMIT 1"
    )
    if row is None:
        return None
    version: str | None = row["previous"] if row["rollback"] else row["version"]
    return version


@dataclass(frozen=True)
class Overview:
    in_use: str | None  # None: the policy's own head
    heads: list[StoredHead]  # the newest first
    adoptions: list[Adoption]  # in order


async def overview(connection: asyncpg.Connection, limit: int = 20) -> Overview:
    return Overview(
        await in_use(connection), await heads(connection, limit), await adoptions(connection)
    )


async def body(connection: asyncpg.Connection, version: str) -> str | None:
    """The head's JSON (a grading/heads/ file's bytes), read once per version per process."""
    found: str | None = await connection.fetchval(
        "SELECT body FROM grading_heads WHERE version = $1", version
    )
    return found


async def by_fingerprint(connection: asyncpg.Connection, fingerprint: str) -> StoredHead | None:
    row = await connection.fetchrow(
        f"SELECT {_COLUMNS} FROM grading_heads WHERE fingerprint = $1", fingerprint
    )
    return _head(row) if row else None


async def find(connection: asyncpg.Connection, version: str) -> StoredHead | None:
    row = await connection.fetchrow(
        f"SELECT {_COLUMNS} FROM grading_heads WHERE version = $1", version
    )
    return _head(row) if row else None


async def heads(connection: asyncpg.Connection, limit: int = 20) -> list[StoredHead]:
    """The newest heads first, whatever became of them."""
    rows = await connection.fetch(
        f"SELECT {_COLUMNS} FROM grading_heads ORDER BY proposed_at DESC, version LIMIT $1", limit
    )
    return [_head(r) for r in rows]


async def pending(connection: asyncpg.Connection) -> StoredHead | None:
    """The candidate waiting for a supervisor (a newer one supersedes it)."""
    row = await connection.fetchrow(
        f"SELECT {_COLUMNS} FROM grading_heads WHERE status = 'candidate' "
        "ORDER BY proposed_at DESC LIMIT 1"
    )
    return _head(row) if row else None


async def propose(
    connection: asyncpg.Connection,
    version: str,
    encoder: str,
    head_json: str,
    fingerprint: str,
    based_on: str,
    report: dict[str, Any],
    at: datetime,
) -> StoredHead:
    """Store a candidate; the one waiting before it is superseded. A retry with the same
    fingerprint (or the same head) stores nothing new and answers the head already there."""
    async with connection.transaction():
        await lock(connection)
        found = await by_fingerprint(connection, fingerprint) or await find(connection, version)
        if found is not None:
            return found
        await connection.execute(
            "UPDATE grading_heads SET status = 'superseded' WHERE status = 'candidate'"
        )
        await connection.execute(
            """INSERT INTO grading_heads (version, encoder, body, status, fingerprint, based_on,
                   report, proposed_at)
               VALUES ($1, $2, $3, 'candidate', $4, $5, $6, $7)""",
            version,
            encoder,
            head_json,
            fingerprint,
            based_on,
            report,  # the pool's codec writes it as JSON (case_store/db.py)
            at,
        )
    stored = await find(connection, version)
    assert stored is not None
    return stored


async def lock(connection: asyncpg.Connection) -> None:
    """Inside a transaction: one decision about heads at a time, whoever asks (two supervisors
    on two web servers)."""
    await connection.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)


async def decide(
    connection: asyncpg.Connection, version: str, status: HeadStatus, by: str, at: datetime
) -> None:
    await connection.execute(
        """UPDATE grading_heads SET status = $2, decided_by = $3, decided_at = $4
           WHERE version = $1""",
        version,
        status.value,
        by,
        at,
    )


async def record(connection: asyncpg.Connection, adoption: Adoption) -> Adoption:
    """An adoption (`version` on top) or a rollback (`version` taken off, back to `previous`:
    `in_use` reads it from the last row)."""
    await connection.execute(
        """INSERT INTO grading_adoptions (version, previous, rollback, by, at)
           VALUES ($1, $2, $3, $4, $5)""",
        adoption.version,
        adoption.previous,
        adoption.rollback,
        adoption.by,
        adoption.at,
    )
    return adoption
