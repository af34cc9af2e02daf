"""The few payloads that travel in clear: answers built only from ids, names of ours and enums
(`ActionAck`), so that a client without the codec — the plain `temporal` CLI, a backend in
another language — can read what an update did.

Everything else is encrypted whole (`encryption.codec`). A payload is left in clear only if it is
marked (`PUBLIC`, naming a model of `PUBLIC_MODELS`), carries no other metadata, and its bytes
read as that model; the codec then sends the model's own rendering of it, not the bytes it was
given, so that nothing a sender added (a duplicate key, an extra field, a comment-like
whitespace run) can ride along. Anything that fails a check is encrypted as usual.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter

from schemas.case_actions import ActionAck

PUBLIC = "complaint-desk-public"  # metadata key: the public model's name
JSON = b"json/plain"
PUBLIC_MODELS: dict[str, type[BaseModel]] = {"ActionAck": ActionAck}


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
