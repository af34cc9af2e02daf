"""The case library: closed cases searchable by keyword, category and risk (R-CO-2).

Keywords match anywhere in subject, description, resolution and product, in any script; the
trigram index serves patterns of three or more characters, shorter ones (two Chinese characters
are common) still match, by scan.
"""

from __future__ import annotations

import asyncpg

from schemas.store import LibraryCase


async def search(
    connection: asyncpg.Connection,
    keyword: str | None = None,
    category: str | None = None,
    risk: str | None = None,
    limit: int = 20,
) -> list[LibraryCase]:
    rows = await connection.fetch(
        """SELECT complaint_id, subject, summary, category, severity, risk, resolution, outcome,
                  archived_at
           FROM case_library
           WHERE ($1::text IS NULL OR search_text LIKE '%' || lower($1) || '%')
             AND ($2::text IS NULL OR category = $2)
             AND ($3::text IS NULL OR risk = $3)
           ORDER BY archived_at DESC
           LIMIT $4""",
        _escaped(keyword),
        category,
        risk,
        limit,
    )
    return [LibraryCase(**dict(r)) for r in rows]


def _escaped(keyword: str | None) -> str | None:
    """A keyword is text, not a pattern: % and _ match themselves."""
    if keyword is None:
        return None
    return keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
