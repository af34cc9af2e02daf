"""The grader's heads (docs/grading.md, "Learning with approval"): every door that lets a
supervisor adopt, reject or roll back a head comes here. The heads live in the case store, so
this needs no Temporal connection, and an action's door does not load it."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from case_store import grading_heads
from case_store.db import Pool
from desk.errors import Refused
from schemas.refusals import Refusal, RefusalCode
from workflows.actors import reserved_actor


async def overview(store: Pool) -> grading_heads.Overview:
    """The head in use (None: the policy's), the newest heads with their reports, and
    every adoption and rollback."""
    async with store.acquire() as connection:
        return await grading_heads.overview(connection)


async def head(store: Pool, version: str) -> grading_heads.StoredHead:
    async with store.acquire() as connection:
        return await _stored_head(connection, version)


async def adopt(store: Pool, version: str, by: str) -> grading_heads.Adoption:
    """From the next complaint on, every worker grades with `version`; recorded with who
    and when. Refused for a head not in the store, one rejected, or the one in use."""
    _check_person(by)
    async with store.acquire() as connection, connection.transaction():
        await grading_heads.lock(connection)
        stored = await _stored_head(connection, version)
        if stored.status is grading_heads.HeadStatus.REJECTED:
            raise Refused(Refusal(RefusalCode.HEAD_REJECTED, {"head": version}))
        current = grading_heads.heads_in_force(await grading_heads.adoptions(connection))[-1]
        if current == version:
            raise Refused(Refusal(RefusalCode.HEAD_IN_USE, {"head": version}))
        now = datetime.now(UTC)
        await grading_heads.decide(connection, version, grading_heads.HeadStatus.ADOPTED, by, now)
        return await grading_heads.record(
            connection, grading_heads.Adoption(version, current, False, by, now)
        )


async def reject(store: Pool, version: str, by: str) -> grading_heads.StoredHead:
    """Turn a candidate down: grading stays as it was, and the same data does not propose
    it again."""
    _check_person(by)
    async with store.acquire() as connection, connection.transaction():
        await grading_heads.lock(connection)
        stored = await _stored_head(connection, version)
        if stored.status is grading_heads.HeadStatus.ADOPTED:
            raise Refused(Refusal(RefusalCode.HEAD_WAS_ADOPTED, {"head": version}))
        await grading_heads.decide(
            connection, version, grading_heads.HeadStatus.REJECTED, by, datetime.now(UTC)
        )
        return await _stored_head(connection, version)


async def roll_back(store: Pool, by: str) -> grading_heads.Adoption:
    """Back to the head in use before the last adoption (at the bottom, the policy's)."""
    _check_person(by)
    async with store.acquire() as connection, connection.transaction():
        await grading_heads.lock(connection)
        in_force = grading_heads.heads_in_force(await grading_heads.adoptions(connection))
        if len(in_force) < 2:
            raise Refused(Refusal(RefusalCode.NOTHING_TO_ROLL_BACK))
        return await grading_heads.record(
            connection,
            grading_heads.Adoption(in_force[-1], in_force[-2], True, by, datetime.now(UTC)),
        )


def _check_person(by: str) -> None:
    """Who decides about a head is a person: never the customer, the system or a team."""
    if reserved_actor(by):
        raise Refused(Refusal(RefusalCode.RESERVED_ACTOR, {"actor": by}))


async def _stored_head(connection: asyncpg.Connection, version: str) -> grading_heads.StoredHead:
    """The head `version` from the store, or the refusal naming it."""
    head = await grading_heads.find(connection, version)
    if head is None:
        raise Refused(Refusal(RefusalCode.NO_SUCH_HEAD, {"head": version}))
    return head
