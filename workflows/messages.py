"""Reading a signal's payload inside the workflow, so that no message can fail a workflow task
or vanish: one that cannot be read is handed to the workflow as unreadable, with the reason.

The SDK converts a handler's argument before the handler runs; a payload that does not convert
(invalid JSON, a field missing, a score of 9, ciphertext under a foreign key) is then dropped
with a log line quoting it, or fails the task for good. The case's handlers instead take the raw
payloads (`workflows.complaint`, its dynamic signal and update), convert them here and, when that
fails, record or refuse with a reason that names fields and error kinds, never the values sent.
"""

import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.common import RawValue

with workflow.unsafe.imports_passed_through():
    from encryption.codec import ENCODING, unreadable_reason
    from schemas.problems import validation_detail, validation_reason

Message = TypeVar("Message", bound=BaseModel)
# An encoding is the sender's text: named in a reason only if it reads as an encoding's name.
_ENCODING_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+/-]{0,63}$")


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
        raise Unreadable(_why_unreadable(payload.payload, err)) from None
    if not isinstance(value, model):
        raise Unreadable(f"not a {model.__name__}")
    return value


def _why_unreadable(payload: Payload, err: Exception) -> str:
    """Why the converter could not read a payload, in words the sender can act on: an encoding
    the desk does not read is named (a KeyError from the SDK says only "KeyError")."""
    encoding = payload.metadata.get("encoding", b"").decode(errors="replace")
    if encoding == ENCODING.decode():
        return (
            f"still encrypted (encoding {encoding!r}): this worker holds no key to open it "
            "(it runs without the desk's codec)"
        )
    if not isinstance(err, KeyError):
        return f"not a readable payload ({type(err).__name__})"
    if not encoding:
        return "not a readable payload: it names no encoding (the desk reads json/plain)"
    shown = repr(encoding) if _ENCODING_NAME.match(encoding) else "an unnamed one"
    return f"not a readable payload: encoding {shown} is not one the desk reads (json/plain)"
