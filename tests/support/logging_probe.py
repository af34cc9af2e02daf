"""A workflow that logs, then fails its task (every attempt): what a worker writes to its log
from inside the sandbox (tests/test_sandbox_logging.py). Its own module, as the sandbox
requires."""

from temporalio import workflow


@workflow.defn(name="LoggingProbe")
class LoggingProbe:
    @workflow.run
    async def run(self) -> str:
        workflow.logger.info("stage changed", extra={"stage": "investigate"})
        raise RuntimeError("the task fails")
