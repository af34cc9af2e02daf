"""Writing each case's progress to the case store (see `case_store.projection`)."""

from __future__ import annotations

from temporalio import activity

from case_store import projection
from case_store.db import Pool
from schemas.store import CaseProjection
from telemetry import logs


class CaseStoreActivities:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    @activity.defn(name="project_case")
    async def project_case(self, case: CaseProjection) -> None:
        async with self._pool.acquire() as connection:
            await projection.write(connection, case)
        logs.for_activity().info(
            "projected", stage=case.snapshot.stage.value, events=len(case.entries)
        )

    @activity.defn(name="case_stage")
    async def case_stage(self, complaint_id: str) -> str | None:
        """The stage the store holds for a complaint, None if it has no case yet: a case is
        opened once, and checks this before it writes anything."""
        async with self._pool.acquire() as connection:
            stage: str | None = await connection.fetchval(
                "SELECT stage FROM complaints WHERE complaint_id = $1", complaint_id
            )
        return stage
