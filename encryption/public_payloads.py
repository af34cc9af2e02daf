"""The few payloads that travel in clear: answers built only from ids, names of ours and enums
(`ActionAck`), so that a client without the codec — the plain `temporal` CLI, a backend in
another language — can read what an update did; and a public face for the case's current details
in the Temporal UI, which otherwise shows nothing at all to an operator without the codec.

Everything else is encrypted whole (`encryption.codec`). A payload is left in clear only if it is
marked (`PUBLIC`, naming a model of `PUBLIC_MODELS`), carries no other metadata, and its bytes
read as that model; the codec then sends the model's own rendering of it, not the bytes it was
given, so that nothing a sender added (a duplicate key, an extra field, a comment-like
whitespace run) can ride along. Anything that fails a check is encrypted as usual.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from google.protobuf import json_format
from pydantic import BaseModel, ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.api.sdk.v1 import (
    WorkflowDefinition,
    WorkflowInteractionDefinition,
    WorkflowMetadata,
)
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter

from schemas.case_actions import ActionAck

PUBLIC = "complaint-desk-public"  # metadata key: the public model's name
JSON = b"json/plain"
PUBLIC_MODELS: dict[str, type[BaseModel]] = {"ActionAck": ActionAck}
# The case's current details (the SDK's `__temporal_workflow_metadata` query answer): in clear, a
# notice and the handler names; the whole answer, encrypted, in this metadata key.
METADATA_TYPE = b"temporal.api.sdk.v1.WorkflowMetadata"
SEALED = "complaint-desk-sealed"
DETAILS_NOTICE = (
    "**Details are encrypted** (they name the customer's words). Open this case in a Temporal UI "
    "that uses the codec server (`complaint-desk codec-server`) to read them; stage, severity, "
    "owner and next deadline are columns and filters of the case list."
)
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$")


def public_copy(payload: Payload) -> Payload | None:
    """The payload as it may travel in clear, or None: it must be encrypted."""
    name = payload.metadata.get(PUBLIC, b"").decode(errors="replace")
    model = PUBLIC_MODELS.get(name)
    if model is None or set(payload.metadata) != {"encoding", PUBLIC}:
        return None
    if payload.metadata["encoding"] != JSON:
        return None
    try:
        value = model.model_validate_json(payload.data)
    except ValidationError:
        return None
    return _marked(value)


def _marked(value: BaseModel) -> Payload:
    return Payload(
        metadata={"encoding": JSON, PUBLIC: type(value).__name__.encode()},
        data=value.model_dump_json().encode(),
    )


class PublicJSONPayloadConverter(PydanticJSONPlainPayloadConverter):
    """Pydantic JSON, with the public models marked so the codec leaves them in clear."""

    def to_payload(self, value: Any) -> Payload | None:
        if PUBLIC_MODELS.get(type(value).__name__) is type(value):
            return _marked(value)
        return super().to_payload(value)


def is_current_details(payload: Payload) -> bool:
    return payload.metadata.get("messageType") == METADATA_TYPE


def public_face(payload: Payload, sealed: Payload) -> Payload:
    """The current-details answer as an operator without the codec sees it: the notice and the
    names of the handlers (a name that is not a plain identifier is left out), with the whole
    answer, encrypted, beside it for the codec to restore (`sealed_original`)."""
    original = WorkflowMetadata()
    with contextlib.suppress(json_format.ParseError):  # unreadable: the notice alone
        json_format.Parse(payload.data, original, ignore_unknown_fields=True)
    source = original.definition

    def names(items: Any) -> list[WorkflowInteractionDefinition]:
        return [WorkflowInteractionDefinition(name=i.name) for i in items if _NAME.match(i.name)]

    face = WorkflowMetadata(
        current_details=DETAILS_NOTICE,
        definition=WorkflowDefinition(
            type=source.type if _NAME.match(source.type) else "",
            query_definitions=names(source.query_definitions),
            signal_definitions=names(source.signal_definitions),
            update_definitions=names(source.update_definitions),
        ),
    )
    return Payload(
        metadata={
            "encoding": b"json/protobuf",
            "messageType": METADATA_TYPE,
            SEALED: sealed.SerializeToString(),
        },
        data=json_format.MessageToJson(face).encode(),
    )


def sealed_original(payload: Payload) -> Payload | None:
    """The encrypted whole behind a public face, or None."""
    sealed = payload.metadata.get(SEALED)
    return Payload.FromString(sealed) if sealed is not None else None
