"""Finding and recording alerts across complaints (R-RP-2), in SQL over the case store.

`detect` lists what crosses a threshold at a moment; `record` keeps one alert per episode: none
for the same kind and subject while an earlier one is younger than its window, and a retried
sweep (same key) finds its own alert again, so its notification can be sent (idempotently).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from schemas.alerts import Alert, AlertKind, AlertPolicy

SPIKES = """
SELECT subject, cur, prev FROM (
    SELECT 'product ' || product AS subject,
           count(*) FILTER (WHERE received_at >= $1::timestamptz - $2::interval) AS cur,
           count(*) FILTER (WHERE received_at < $1::timestamptz::timestamptz - $2::interval) AS prev
    FROM complaints
    WHERE received_at >= $1::timestamptz - 2 * $2::interval AND received_at < $1::timestamptz AND product IS NOT NULL
    GROUP BY product
    UNION ALL
    SELECT 'category ' || category,
           count(*) FILTER (WHERE received_at >= $1::timestamptz - $2::interval),
           count(*) FILTER (WHERE received_at < $1::timestamptz::timestamptz - $2::interval)
    FROM complaints
    WHERE received_at >= $1::timestamptz - 2 * $2::interval AND received_at < $1::timestamptz AND category IS NOT NULL
    GROUP BY category
) counted
WHERE cur >= $3 AND cur * 100 >= prev * (100 + $4)
ORDER BY subject"""

CONCENTRATIONS = """
SELECT 'product ' || product AS subject, count(*),
       coalesce(jsonb_agg(complaint_id ORDER BY complaint_id) FILTER (
           WHERE outcome IS NULL AND risk IS DISTINCT FROM 'high'), '[]')
FROM complaints
WHERE received_at >= $1::timestamptz - $2::interval AND received_at < $1::timestamptz AND product IS NOT NULL
GROUP BY product HAVING count(*) > $3
ORDER BY subject"""

KEYWORDS = """
SELECT k, count(DISTINCT e.complaint_id),
       jsonb_agg(DISTINCT e.complaint_id)
FROM unnest($3::text[]) AS k
JOIN complaint_events e ON strpos(lower(e.summary), lower(k)) > 0
WHERE e.at >= $1::timestamptz - $2::interval AND e.at < $1::timestamptz
  AND e.kind IN ('received', 'classified', 'customer_message')
GROUP BY k
ORDER BY k"""


async def detect(connection: asyncpg.Connection, at: datetime, policy: AlertPolicy) -> list[Alert]:
    """What crosses a threshold in the windows ending at `at`."""
    found = []
    w = policy.spike_window
    for subject, cur, prev in await connection.fetch(
        SPIKES, at, w, policy.spike_at_least, policy.spike_increase_percent
    ):
        found.append(_alert(AlertKind.SPIKE, subject, at, w, cur, prev=prev))
    w = policy.concentration_window
    for subject, count, ids in await connection.fetch(
        CONCENTRATIONS, at, w, policy.concentration_above
    ):
        found.append(_alert(AlertKind.CONCENTRATION, subject, at, w, count, ids=ids))
    w = policy.keyword_window
    for keyword, count, ids in await connection.fetch(KEYWORDS, at, w, policy.keywords):
        found.append(_alert(AlertKind.KEYWORD, keyword, at, w, count, ids=ids))
    return found


async def record(connection: asyncpg.Connection, alert: Alert) -> bool:
    """Keep the alert unless its episode was already alerted; True if it is this sweep's."""
    quiet = alert.window_end - alert.window_start
    await connection.execute(
        """INSERT INTO alerts (key, kind, subject, window_start, window_end, count, previous,
                               complaint_ids, raised_at)
           SELECT $1, $2, $3, $4, $5, $6, $7, $8, $5
           WHERE NOT EXISTS (SELECT 1 FROM alerts a WHERE a.kind = $2 AND a.subject = $3
                             AND a.window_end > $5::timestamptz - $9::interval)
           ON CONFLICT (key) DO NOTHING""",
        alert.key,
        alert.kind.value,
        alert.subject,
        alert.window_start,
        alert.window_end,
        alert.count,
        alert.previous,
        alert.complaint_ids,
        quiet,
    )
    found: bool = await connection.fetchval(
        "SELECT EXISTS (SELECT 1 FROM alerts WHERE key = $1)", alert.key
    )
    return found


def _alert(
    kind: AlertKind,
    subject: str,
    at: datetime,
    window: timedelta,
    count: int,
    prev: int | None = None,
    ids: list[str] | None = None,
) -> Alert:
    return Alert(
        key=f"{kind.value}/{subject}/{at.isoformat()}",
        kind=kind,
        subject=subject,
        window_start=at - window,
        window_end=at,
        count=count,
        previous=prev,
        complaint_ids=ids or [],
    )
