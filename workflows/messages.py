"""Reading a signal's payload inside the workflow, so that no message can fail a workflow task
or vanish: one that cannot be read is handed to the workflow as unreadable, with the reason.

The SDK converts a handler's argument before the handler runs; a payload that does not convert
(invalid JSON, a field missing, a score of 9, ciphertext under a foreign key) is then dropped
with a log line quoting it, or fails the task for good. A handler wrapped in `reading` instead
gets the raw payload, converts it itself and, when that fails, calls the workflow's
`message_unreadable` with a reason that names fields and error kinds, never the values sent.
"""

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from pydantic import BaseModel, ValidationError
from temporalio import workflow
from temporalio.common import RawValue

with workflow.unsafe.imports_passed_through():
    from encryption.codec import unreadable_reason
    from schemas.problems import validation_detail, validation_reason

Message = TypeVar("Message", bound=BaseModel)
Receiver = TypeVar("Receiver", bound="ReadsMessages")


class ReadsMessages(Protocol):
    def message_unreadable(self, message: str, reason: str) -> None: ...


class Unreadable(ValueError):
    """A payload that is not a valid `Message`; the text is the reason, free of personal data.
    `detail` adds pydantic's words for each problem (limits, allowed values; never the input),
    for a refusal that travels encrypted."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(reason)
        self.detail = detail or reason


def read(payload: RawValue, model: type[Message]) -> Message:
    """The payload as `model`, or `Unreadable` with the reason."""
    cannot_decrypt = unreadable_reason(payload.payload)
    if cannot_decrypt is not None:
        raise Unreadable(f"cannot be decrypted: {cannot_decrypt}")
    try:
        value = workflow.payload_converter().from_payload(payload.payload, model)
    except ValidationError as err:
        raise Unreadable(validation_reason(err), validation_detail(err)) from None
    except Exception as err:  # an unknown encoding, bytes that are not JSON at all
        raise Unreadable(f"not a readable payload ({type(err).__name__})") from None
    if not isinstance(value, model):
        raise Unreadable(f"not a {model.__name__}")
    return value


def reading(
    model: type[Message],
) -> Callable[[Callable[[Receiver, Message], None]], Callable[[Receiver, Message], None]]:
    """Decorate a signal handler (under `@workflow.signal`): callers still send a `model`, the
    SDK hands over the raw payload, and the handler runs only on a message that reads."""

    def decorate(apply: Callable[[Receiver, Message], None]) -> Callable[[Receiver, Message], None]:
        # `self` stays unannotated: the SDK skips it only then when it reads the parameter types.
        def handler(self, payload: RawValue) -> None:  # type: ignore[no-untyped-def]
            try:
                message = read(payload, model)
            except Unreadable as err:
                self.message_unreadable(apply.__name__, str(err))
                return
            apply(self, message)

        handler.__name__ = apply.__name__
        handler.__qualname__ = apply.__qualname__
        handler.__doc__ = apply.__doc__
        return cast(Callable[[Any, Message], None], handler)

    return decorate
