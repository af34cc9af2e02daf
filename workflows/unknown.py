"""A start of a workflow type this desk does not run (a typo in `temporal workflow start --type`,
a client of another system pointed at our task queue): without this, the run stays RUNNING with
its task failing every few seconds for ever. It fails at once with the reason instead."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from temporalio import workflow
from temporalio.common import RawValue, VersioningBehavior

with workflow.unsafe.imports_passed_through():
    from schemas.refusals import Refusal, RefusalCode
    from workflows.starts import refuse_start


# AUTO_UPGRADE: a run lasts one task; nothing to keep on an old build.
@workflow.defn(dynamic=True, versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class UnknownWorkflow:
    @workflow.run
    async def run(self, given: Sequence[RawValue]) -> NoReturn:
        """`given` is never decoded: it is not ours to read."""
        info = workflow.info()
        refuse_start(
            Refusal(
                RefusalCode.UNKNOWN_WORKFLOW,
                {"workflow_id": info.workflow_id, "workflow": info.workflow_type},
            )
        )
