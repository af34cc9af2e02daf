"""Stuck cases in the case store: an `alerts` row of kind 'stuck' per episode (keyed by the run
and its first failed workflow task), open until the watchdog no longer finds the case stuck.

A sweep `record`s what it found (a retried sweep rewrites the same rows) and `clear`s the
episodes it no longer sees; `complaint_stuck_cases` counts the open ones.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from case_store.db import Pool
from schemas.stuck_cases import STUCK_KIND, StuckCase

STUCK_NOW = f"SELECT count(*) FROM alerts WHERE kind = '{STUCK_KIND}' AND cleared_at IS NULL"


async def record(connection: asyncpg.Connection, case: StuckCase, at: datetime) -> None:
    """Keep the episode (first seen at `at`); seen again, its window and attempt count grow."""
    await connection.execute(
        """INSERT INTO alerts (key, kind, subject, window_start, window_end, count,
                               complaint_ids, raised_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $5)
           ON CONFLICT (key) DO UPDATE
           SET window_end = greatest(alerts.window_end, EXCLUDED.window_end),
               count = greatest(alerts.count, EXCLUDED.count), cleared_at = NULL""",
        case.key,
        STUCK_KIND,
        f"case {case.complaint_id}",
        case.since,
        max(at, case.since),
        case.attempts,
        [case.complaint_id],
    )


async def clear(connection: asyncpg.Connection, still_stuck: list[str], at: datetime) -> int:
    """Close every open episode not among `still_stuck` (keys); returns how many."""
    status: str = await connection.execute(
        """UPDATE alerts SET cleared_at = $3
           WHERE kind = $1 AND cleared_at IS NULL AND NOT (key = ANY($2::text[]))""",
        STUCK_KIND,
        still_stuck,
        at,
    )
    return int(status.rsplit(" ", 1)[-1])


async def open_episodes(connection: asyncpg.Connection) -> list[asyncpg.Record]:
    return list(
        await connection.fetch(
            """SELECT key, complaint_ids->>0 AS complaint_id, window_start AS since,
                      window_end AS last_seen, count AS attempts
               FROM alerts WHERE kind = $1 AND cleared_at IS NULL ORDER BY window_start""",
            STUCK_KIND,
        )
    )


async def open_workflows(pool: Pool, limit: int) -> list[str]:
    """The workflow ids of the open cases as the store knows them (a server without visibility)."""
    rows = await pool.fetch(
        "SELECT workflow_id FROM complaints WHERE outcome IS NULL ORDER BY received_at LIMIT $1",
        limit,
    )
    return [r["workflow_id"] for r in rows]
