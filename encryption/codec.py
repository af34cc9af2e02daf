"""AES-256-GCM over whole payloads, with the key id in the payload's metadata.

Encrypting the whole payload (not chosen fields) means nothing personal can slip through a field
somebody adds later: intake, replies, results, summaries and failure messages are all covered.
Search attributes are not payloads; they stay readable and filterable, and hold nothing personal.
Payloads written before encryption (old histories, plain JSON from the `temporal` CLI) pass
through decoding unchanged.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

from encryption.failures import ReadableFailureConverter
from encryption.keys import KeyRing

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


class UndecryptablePayload(ValueError):
    """A payload under a key this process does not hold, or one that was tampered with."""


def encrypt(ring: KeyRing, payload: Payload) -> Payload:
    nonce = os.urandom(NONCE_BYTES)
    key_id = ring.active.encode()
    sealed = AESGCM(ring.keys[ring.active]).encrypt(nonce, payload.SerializeToString(), key_id)
    return Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=nonce + sealed)


def decrypt(ring: KeyRing, payload: Payload) -> Payload:
    if payload.metadata.get("encoding") != ENCODING:
        return payload
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
        return [decrypt(self.ring, p) for p in payloads]


def data_converter(ring: KeyRing) -> DataConverter:
    """Pydantic payloads, encrypted; failure messages and stack traces are encrypted too, since a
    validation error quotes the input it refused (a public message stands beside them)."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(ring),
        failure_converter_class=ReadableFailureConverter,
    )
