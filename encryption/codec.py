"""AES-256-GCM over whole payloads, with the key id in the payload's metadata.

Encrypting the whole payload (not chosen fields) means nothing personal can slip through a field
somebody adds later: intake, replies, results, summaries and failure messages are all covered.
Search attributes are not payloads; they stay readable and filterable, and hold nothing personal.
Payloads written before encryption (old histories, plain JSON from the `temporal` CLI) pass
through decoding unchanged. A payload that cannot be decrypted (a foreign key, tampered or random
bytes) decodes to an *unreadable* marker carrying the reason, never to an exception: a worker that
raised here would fail the workflow task on every retry, for good, since the payload stays in the
history. Workflows read the marker as a message that could not be read (`workflows.messages`);
anything that converts it to a type gets `UndecryptablePayload` with the reason.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticPayloadConverter, pydantic_data_converter
from temporalio.converter import DataConverter, EncodingPayloadConverter, PayloadCodec

from encryption.failures import ReadableFailureConverter
from encryption.keys import KeyRing
from encryption.public_payloads import (
    PublicJSONPayloadConverter,
    is_current_details,
    public_copy,
    public_face,
    sealed_original,
)

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12
# The marker a payload that cannot be decrypted decodes to, and the metadata key of its reason.
UNREADABLE = b"binary/unreadable"
UNREADABLE_REASON = "unreadable-reason"


class UndecryptablePayload(ValueError):
    """A payload under a key this process does not hold, or one that was tampered with."""


def encrypt(ring: KeyRing, payload: Payload) -> Payload:
    """The payload as it may leave this process: encrypted, but for the public ones
    (`encryption.public_payloads`): an update's acknowledgement in clear, and the current
    details with a public face. A payload already encrypted is returned as it is: the `temporal`
    CLI encodes a request in place through the codec server and re-sends the same request when
    the server did not take it (a retry, an update the server did not admit yet), so its second
    send asks to encode ciphertext; sealed again, the case would read a payload still sealed."""
    if payload.metadata.get("encoding") == ENCODING:
        return payload
    public = public_copy(payload)
    if public is not None:
        return public
    sealed = _sealed(ring, payload)
    return public_face(payload, sealed) if is_current_details(payload) else sealed


def _sealed(ring: KeyRing, payload: Payload) -> Payload:
    nonce = os.urandom(NONCE_BYTES)
    key_id = ring.active.encode()
    sealed = AESGCM(ring.keys[ring.active]).encrypt(nonce, payload.SerializeToString(), key_id)
    return Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=nonce + sealed)


def decrypt(ring: KeyRing, payload: Payload) -> Payload:
    """The plain payload, through every layer: a payload sealed twice (sent by a `temporal` CLI
    through a codec server from before `encrypt` left ciphertext alone) reads like any other."""
    payload = sealed_original(payload) or payload
    while payload.metadata.get("encoding") == ENCODING:
        payload = _opened(ring, payload)  # each layer is shorter: this ends
    return payload


def _opened(ring: KeyRing, payload: Payload) -> Payload:
    key_id = payload.metadata.get(KEY_ID, b"").decode()
    key = ring.keys.get(key_id)
    if key is None:
        raise UndecryptablePayload(
            f"payload encrypted with key {key_id!r}, which is not in this process's key ring"
        )
    nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
    try:
        plain = AESGCM(key).decrypt(nonce, sealed, key_id.encode())
    except InvalidTag:
        raise UndecryptablePayload(f"payload under key {key_id!r} fails authentication") from None
    return Payload.FromString(plain)


@dataclasses.dataclass(frozen=True)
class EncryptionCodec(PayloadCodec):
    ring: KeyRing

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [encrypt(self.ring, p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [decrypt_or_mark(self.ring, p) for p in payloads]


def decrypt_or_mark(ring: KeyRing, payload: Payload) -> Payload:
    """The plain payload, or the unreadable marker with the reason (a key id at most, never
    any of the payload's bytes)."""
    try:
        return decrypt(ring, payload)
    except UndecryptablePayload as err:
        return Payload(metadata={"encoding": UNREADABLE, UNREADABLE_REASON: str(err).encode()})


def unreadable_reason(payload: Payload) -> str | None:
    """Why the codec could not decrypt this payload, or None if it is not the marker."""
    if payload.metadata.get("encoding") != UNREADABLE:
        return None
    return payload.metadata.get(UNREADABLE_REASON, b"").decode(errors="replace")


class UnreadablePayloadConverter(EncodingPayloadConverter):
    """Converting the marker to any type raises `UndecryptablePayload` with the reason: a clear
    error for clients, and a failure the Complaint workflow lists, so that an undecryptable start
    fails the run at once instead of its first task for ever."""

    @property
    def encoding(self) -> str:
        return UNREADABLE.decode()

    def to_payload(self, value: object) -> Payload | None:
        return None  # never chosen to encode

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> object:
        raise UndecryptablePayload(unreadable_reason(payload) or "payload cannot be decrypted")


class CasePayloadConverter(PydanticPayloadConverter):
    """Pydantic JSON (the public models marked, `encryption.public_payloads`), plus the
    unreadable marker."""

    def __init__(self) -> None:
        super().__init__()
        converters = [
            PublicJSONPayloadConverter() if c.encoding == "json/plain" else c
            for c in self.converters.values()
        ]
        self._set_converters(*converters, UnreadablePayloadConverter())


def data_converter(ring: KeyRing) -> DataConverter:
    """Pydantic payloads, encrypted; failure messages and stack traces are encrypted too, since a
    validation error quotes the input it refused (a public message stands beside them)."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=CasePayloadConverter,
        payload_codec=EncryptionCodec(ring),
        failure_converter_class=ReadableFailureConverter,
    )
