"""The worker answers the SDK's per-payload question (in which serialization context is this
payload converted?) without entering the case's sandbox, and only when the answer cannot
change a byte: the data converter takes no context and stores nothing outside history."""

from __future__ import annotations

import dataclasses
from typing import Self

from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, PayloadCodec, SerializationContext
from temporalio.converter import WithSerializationContext as TakesContext

from encryption.codec import data_converter
from encryption.keys import KeyRing
from worker import takes_no_context


class ContextCodec(PayloadCodec, TakesContext):
    """A codec that keys its work on the workflow (as a per-case key scheme might)."""

    def __init__(self, context: SerializationContext | None = None) -> None:
        self.context = context

    def with_context(self, context: SerializationContext) -> Self:
        return type(self)(context)

    async def encode(self, payloads: list[Payload]) -> list[Payload]:  # type: ignore[override]
        return payloads

    async def decode(self, payloads: list[Payload]) -> list[Payload]:  # type: ignore[override]
        return payloads


def test_the_case_payloads_convert_the_same_in_every_context() -> None:
    assert takes_no_context(data_converter(KeyRing.generate("test")))


def test_a_converter_that_takes_a_context_is_asked_through_the_sandbox() -> None:
    converter = dataclasses.replace(DataConverter.default, payload_codec=ContextCodec())
    assert not takes_no_context(converter)
