"""How a workflow refuses a start it must not run (a forged or replayed input): the run fails
at once, non-retryable, with the refusal's English text (what the plain `temporal` CLI and the
UI show, `encryption.failures.PUBLIC_TYPES`) and its code and parameters as details, having
written nothing. One place, so that every door reads the same `InvalidStart`."""

from __future__ import annotations

from typing import NoReturn

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    import catalogue  # noqa: F401 (refusals render from it inside the sandbox)
    from schemas.refusals import Refusal, RefusalCode

INVALID_START = "InvalidStart"


def refuse_start(refusal: Refusal) -> NoReturn:
    """Fail the run with the reason; call it before the first command."""
    raise ApplicationError(
        refusal.english(), refusal.as_details(), type=INVALID_START, non_retryable=True
    )


def takes_no_input(given: tuple[object, ...]) -> None:
    """A scheduled sweep's policy is the worker's configuration: a start that carries anything
    (a forged threshold that would raise every open case's risk) is refused before it acts."""
    if given:
        info = workflow.info()
        refuse_start(
            Refusal(
                RefusalCode.START_TAKES_NO_INPUT,
                {
                    "workflow_id": info.workflow_id,
                    "workflow": info.workflow_type,
                    "given": len(given),
                },
            )
        )
