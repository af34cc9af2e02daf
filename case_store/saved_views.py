"""A person's saved views: named sets of search filters, theirs alone (never a contact)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from case_store.search import BadSearch, Filters

LONGEST_NAME = 80
MOST_VIEWS = 50


@dataclass(frozen=True)
class SavedView:
    view_id: int
    name: str
    filters: Filters


async def save(connection: asyncpg.Connection, owner: str, name: str, filters: Filters) -> int:
    """Saved under `name`, replacing the person's view of that name; its id."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= LONGEST_NAME:
        raise BadSearch("error.view_name", most=LONGEST_NAME)
    async with connection.transaction():
        count = await connection.fetchval(
            "SELECT count(*) FROM saved_views WHERE owner = $1 AND name <> $2", owner, name
        )
        if count >= MOST_VIEWS:
            raise BadSearch("error.many_views", most=MOST_VIEWS)
        view_id: int = await connection.fetchval(
            """INSERT INTO saved_views (owner, name, filters) VALUES ($1, $2, $3)
               ON CONFLICT (owner, name) DO UPDATE SET filters = EXCLUDED.filters
               RETURNING view_id""",
            owner,
            name,
            filters.saved(),
        )
    return view_id


async def of(connection: asyncpg.Connection, owner: str) -> list[SavedView]:
    rows = await connection.fetch(
        "SELECT view_id, name, filters FROM saved_views WHERE owner = $1 ORDER BY name", owner
    )
    return [SavedView(r["view_id"], r["name"], Filters.from_saved(r["filters"])) for r in rows]


async def one(connection: asyncpg.Connection, owner: str, view_id: int) -> SavedView | None:
    """The view if it is `owner`'s; another person's view is as good as missing."""
    r = await connection.fetchrow(
        "SELECT view_id, name, filters FROM saved_views WHERE owner = $1 AND view_id = $2",
        owner,
        view_id,
    )
    return SavedView(r["view_id"], r["name"], Filters.from_saved(r["filters"])) if r else None


async def delete(connection: asyncpg.Connection, owner: str, view_id: int) -> bool:
    done: str = await connection.execute(
        "DELETE FROM saved_views WHERE owner = $1 AND view_id = $2", owner, view_id
    )
    return done.endswith(" 1")
