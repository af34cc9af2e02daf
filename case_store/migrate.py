"""Versioned schema migrations, applied on start; safe to run twice and from many workers at once.

Each file `migrations/NNNN_name.sql` runs once, in its own transaction, recorded in
`schema_migrations`. A session-level advisory lock makes concurrent starters take turns: the
second finds the work done.
"""

from __future__ import annotations

from importlib.resources import files

import asyncpg

# Package data: found the same way in a checkout and in an installed wheel.
MIGRATIONS = files("case_store") / "migrations"
_LOCK_KEY = 0x636F6D70  # "comp": one lock id for this schema, shared by every process


def available() -> list[tuple[int, str, str]]:
    found = []
    sql_files = (p for p in MIGRATIONS.iterdir() if p.name.endswith(".sql"))
    for path in sorted(sql_files, key=lambda p: p.name):
        version = int(path.name.split("_", 1)[0])
        found.append((version, path.name.removesuffix(".sql"), path.read_text(encoding="utf-8")))
    return found


async def migrate(connection: asyncpg.Connection) -> list[str]:
    """Apply what is missing; returns the names applied by this call."""
    applied: list[str] = []
    await connection.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await connection.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   version int PRIMARY KEY,
                   name text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        done = {
            r["version"] for r in await connection.fetch("SELECT version FROM schema_migrations")
        }
        for version, name, sql in available():
            if version in done:
                continue
            async with connection.transaction():
                await connection.execute(sql)
                await connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version, name
                )
            applied.append(name)
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied
