"""Failure messages a plain client can read, with nothing personal in them.

Every failure's message and stack trace travel encrypted (a validation error quotes the input it
refused). Without the codec, Temporal's own converter leaves only "Encoded failure" in clear, so
an integrator using the plain `temporal` CLI cannot tell a refused action from a crash. This
converter keeps the encrypted copy and puts a public message beside it: the refusal's reason for
the error types whose messages this project writes without personal data, the fields and error
kinds of a validation error, and only the type's name for everything else.
"""

from __future__ import annotations

from pydantic import ValidationError
from temporalio.api.failure.v1 import Failure
from temporalio.converter import DefaultFailureConverter, PayloadConverter
from temporalio.exceptions import ApplicationError

from schemas.problems import validation_detail, validation_reason

# Errors raised by our rules with messages built from field names, stages and deadline names
# only; never from what a customer or agent typed.
PUBLIC_TYPES = frozenset({"InvalidAction", "InvalidStart"})


class Refusal(ApplicationError):
    """A refusal with two messages: the full one, encrypted (for those who read through the
    codec), and a public one without personal data (an update whose payload cannot be read:
    pydantic's words, and the fields and error kinds only). Not carried as `details`, which a
    client without the codec could not decode at all."""

    def __init__(self, message: str, public: str, *, type: str) -> None:
        super().__init__(message, type=type, non_retryable=True)
        self.public = public


def public_message(error: BaseException) -> str:
    if isinstance(error, Refusal):
        return error.public
    if isinstance(error, ApplicationError) and error.type in PUBLIC_TYPES:
        return error.message
    if isinstance(error, ValidationError):
        return f"{_title(error)} {validation_reason(error)}"
    kind = (
        error.type if isinstance(error, ApplicationError) and error.type else type(error).__name__
    )
    return f"{kind} (details are encrypted; read them through the codec server)"


def _title(error: ValidationError) -> str:
    """The model's name; a union (a case starts with an intake or a carried state) says input."""
    return error.title if error.title.isidentifier() else "input"


class ReadableFailureConverter(DefaultFailureConverter):
    """Encrypted message and stack trace, as `DefaultFailureConverterWithEncodedAttributes`,
    plus a public message in clear."""

    def __init__(self) -> None:
        super().__init__(encode_common_attributes=True)

    def to_failure(
        self, exception: BaseException, payload_converter: PayloadConverter, failure: Failure
    ) -> None:
        super().to_failure(exception, payload_converter, failure)
        failure.message = public_message(exception)
        if isinstance(exception, ValidationError) and failure.HasField("encoded_attributes"):
            # Through the codec, pydantic's words for the intake's problems, not its dump of
            # every member of the union (an intake or a carried `CaseState`): nine errors, five
            # about our internals.
            attributes = payload_converter.from_payload(failure.encoded_attributes, dict)
            attributes["message"] = f"{_title(exception)} {validation_detail(exception)}"
            failure.encoded_attributes.CopyFrom(payload_converter.to_payload(attributes))
