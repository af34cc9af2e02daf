"""Similar past cases (R-CO-2, seed 000's 知识库): nearest ended cases by meaning, with pgvector.

Classification remembers each complaint's text, machine grade and embedding (`remember`); the
nearest ended cases (`nearest`) are the evidence an agent sees ("looks like C-1007 → L1") and
what `complaint-desk store similar ID` / `store search --similar TEXT` print. Where the server has
no pgvector (migration 0007 then skips the column), search falls back to the case library's
keyword search, and `vectors_available` logs that once per process.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
import structlog
from pydantic import BaseModel

from case_store import library
from schemas.classification import Classification
from schemas.store import LibraryCase

log = structlog.get_logger("complaint_desk.case_store")
DIMENSIONS = 512  # complaint_texts.embedding is vector(512), migration 0007
_said: set[str] = set()  # databases whose fallback this process has already logged


class SimilarCase(LibraryCase):
    """An ended case and how close it is (None: found by keyword, not by meaning)."""

    similarity: float | None = None


class Remembered(BaseModel):
    """What classification saw of a complaint, as stored in `complaint_texts`."""

    complaint_id: str
    text: str
    severity: str
    category: str
    rules_version: str
    encoder: str | None
    head: str | None


async def vectors_available(connection: asyncpg.Connection) -> bool:
    found = bool(
        await connection.fetchval(
            """SELECT EXISTS (SELECT 1 FROM information_schema.columns
                          WHERE table_name = 'complaint_texts' AND column_name = 'embedding')"""
        )
    )
    database = str(await connection.fetchval("SELECT current_database()"))
    if not found and database not in _said:
        _said.add(database)
        log.warning(
            "pgvector not available: similar cases fall back to keyword search", database=database
        )
    return found


def _literal(vector: Sequence[float]) -> str:
    return "[" + ",".join(f"{float(v):.6g}" for v in vector) + "]"


async def remember(
    connection: asyncpg.Connection,
    complaint_id: str,
    text: str,
    result: Classification,
    at: datetime,
    vector: Sequence[float] | None,
    vectors: bool | None = None,
) -> None:
    """Keyed by complaint: a retried or repeated classification overwrites its own row.
    `vectors`: whether the store has pgvector, if the caller knows (else it is asked)."""
    engine = result.engine
    await connection.execute(
        """INSERT INTO complaint_texts (complaint_id, text, severity, category, rules_version,
                                        encoder, head, classified_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (complaint_id) DO UPDATE SET
               text = EXCLUDED.text, severity = EXCLUDED.severity,
               category = EXCLUDED.category, rules_version = EXCLUDED.rules_version,
               encoder = EXCLUDED.encoder, head = EXCLUDED.head,
               classified_at = EXCLUDED.classified_at""",
        complaint_id,
        text,
        result.severity.value,
        result.category.value,
        result.rules_version,
        engine.encoder if engine else None,
        engine.head if engine else None,
        at,
    )
    if vector is not None and (
        vectors if vectors is not None else await vectors_available(connection)
    ):
        await connection.execute(
            "UPDATE complaint_texts SET embedding = $2::vector WHERE complaint_id = $1",
            complaint_id,
            _literal(vector),
        )


async def nearest(
    connection: asyncpg.Connection,
    vector: Sequence[float],
    limit: int = 3,
    exclude: str | None = None,
) -> list[SimilarCase]:
    """The ended cases nearest in meaning (cosine), closest first."""
    if len(vector) != DIMENSIONS:
        return []
    # The inner query alone orders by distance, so the HNSW index serves it; it over-fetches,
    # since the nearest complaints may still be open (not in the library).
    rows = await connection.fetch(
        """SELECT l.complaint_id, l.subject, l.summary, l.category, l.severity, l.risk,
                  l.resolution, l.outcome, l.archived_at, 1 - t.distance AS similarity
           FROM (SELECT complaint_id, embedding <=> $1::vector AS distance
                 FROM complaint_texts
                 WHERE embedding IS NOT NULL AND ($2::text IS NULL OR complaint_id <> $2)
                 ORDER BY embedding <=> $1::vector
                 LIMIT $3 * 10) t
           JOIN case_library l USING (complaint_id)
           ORDER BY t.distance, l.complaint_id
           LIMIT $3""",
        _literal(vector),
        exclude,
        limit,
    )
    return [
        SimilarCase(**{**dict(r), "similarity": round(float(r["similarity"]), 3)}) for r in rows
    ]


async def by_keyword(
    connection: asyncpg.Connection, text: str, limit: int = 3, exclude: str | None = None
) -> list[SimilarCase]:
    """The fallback: the case library's trigram keyword search on the text."""
    found = await library.search(connection, text, limit=limit + 1)
    return [SimilarCase(**c.model_dump()) for c in found if c.complaint_id != exclude][:limit]


async def recalled(connection: asyncpg.Connection, complaint_id: str) -> Remembered | None:
    row = await connection.fetchrow(
        """SELECT complaint_id, text, severity, category, rules_version, encoder, head
           FROM complaint_texts WHERE complaint_id = $1""",
        complaint_id,
    )
    return Remembered(**dict(row)) if row else None


async def similar_to_case(
    connection: asyncpg.Connection, complaint_id: str, limit: int = 3
) -> list[SimilarCase]:
    """The ended cases nearest to a case the store has classified; by keyword on its subject
    where pgvector is missing or the case has no embedding."""
    if await vectors_available(connection):
        literal = await connection.fetchval(
            "SELECT embedding::text FROM complaint_texts WHERE complaint_id = $1", complaint_id
        )
        if literal:
            vector = [float(v) for v in str(literal).strip("[]").split(",")]
            return await nearest(connection, vector, limit, exclude=complaint_id)
    subject = await connection.fetchval(
        "SELECT subject FROM complaints WHERE complaint_id = $1", complaint_id
    )
    return await by_keyword(connection, str(subject), limit, complaint_id) if subject else []
