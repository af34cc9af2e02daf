"""New-activity markers: which of a person's cases had activity of others since they last read it.

Reading is recorded when the case page shows a case (`opened`, the last timeline entry it
showed); a queue row is marked when the case has, after that entry, a customer's message or
another event the owner should look at (`ACTIVITY`) made by someone else. A case never opened is
marked when it has any such event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

# The same list as the partial index of migration 0011 (complaint_events_activity).
ACTIVITY = (
    "customer_message",
    "survey_answered",
    "reopened",
    "approved",
    "task_done",
    "task_overdue",
    "merged_in",
    "reassigned",
    "deadline_warning",
    "deadline_breached",
)
# Written out (constants, not input) so the planner sees the partial index's own condition.
_ACTIVITY_SQL = ", ".join(f"'{kind}'" for kind in ACTIVITY)


async def opened(
    connection: asyncpg.Connection, complaint_id: str, reader: str, last_seq: int, at: datetime
) -> None:
    """`reader` has seen the case's timeline up to `last_seq`; a page shown late (an older
    timeline) never moves the mark back."""
    await connection.execute(
        """INSERT INTO case_reads AS r (complaint_id, reader, read_seq, read_at)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (complaint_id, reader) DO UPDATE SET
               read_seq = EXCLUDED.read_seq, read_at = EXCLUDED.read_at
           WHERE r.read_seq < EXCLUDED.read_seq""",
        complaint_id,
        reader,
        last_seq,
        at,
    )


async def unread(
    connection: asyncpg.Connection, reader: str, complaint_ids: Sequence[str]
) -> set[str]:
    """Those of `complaint_ids` with activity of others after what `reader` last read."""
    if not complaint_ids:
        return set()
    rows = await connection.fetch(
        f"""SELECT c.complaint_id FROM complaints c
           LEFT JOIN case_reads r ON r.complaint_id = c.complaint_id AND r.reader = $1
           WHERE c.complaint_id = ANY($2::text[])
             AND EXISTS (SELECT 1 FROM complaint_events e
                         WHERE e.workflow_id = c.workflow_id
                           AND e.seq > coalesce(r.read_seq, -1)
                           AND e.kind IN ({_ACTIVITY_SQL})
                           AND e.actor <> $1)""",
        reader,
        list(complaint_ids),
    )
    return {r["complaint_id"] for r in rows}
