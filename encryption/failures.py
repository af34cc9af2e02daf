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

from schemas.problems import validation_reason

# Errors raised by our rules with messages built from field names, stages and deadline names
# only; never from what a customer or agent typed.
PUBLIC_TYPES = frozenset({"InvalidAction", "InvalidStart"})


def public_message(error: BaseException) -> str:
    if isinstance(error, ApplicationError) and error.type in PUBLIC_TYPES:
        return error.message
    if isinstance(error, ValidationError):
        return f"{error.title} {validation_reason(error)}"
    kind = (
        error.type if isinstance(error, ApplicationError) and error.type else type(error).__name__
    )
    return f"{kind} (details are encrypted; read them through the codec server)"


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
