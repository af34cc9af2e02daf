"""Failure messages: readable by a plain client, never personal (encryption/failures.py)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from pydantic import ValidationError
from temporalio.api.failure.v1 import Failure
from temporalio.converter import DataConverter
from temporalio.exceptions import ApplicationError

from encryption.failures import ReadableFailureConverter
from schemas.intake import ComplaintIntake
from tests.support.desk import CONVERTER, intake

WITHOUT_KEY = dataclasses.replace(CONVERTER, payload_codec=None)
received_at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def failure_of(error: BaseException) -> Failure:
    failure = Failure()
    await CONVERTER.encode_failure(error, failure)
    return failure


async def read_with(converter: DataConverter, failure: Failure) -> str:
    """The message a client holding this converter reads."""
    copy = Failure()
    copy.CopyFrom(failure)
    error = await converter.decode_failure(copy)
    assert isinstance(error, ApplicationError)
    return error.message


async def test_a_refusal_reads_the_same_with_and_without_the_key() -> None:
    assert isinstance(CONVERTER.failure_converter, ReadableFailureConverter)
    refusal = ApplicationError("cannot carry out plan at stage 'investigate'", type="InvalidAction")
    failure = await failure_of(refusal)
    assert failure.message == refusal.message
    assert (await read_with(WITHOUT_KEY, failure)) == refusal.message
    assert (await read_with(CONVERTER, failure)) == refusal.message


async def test_any_other_error_shows_its_kind_only_without_the_key() -> None:
    leak = ValueError("input_value='+86 139 1234 5678' name='李四'")
    failure = await failure_of(ApplicationError("bad", type="X", non_retryable=True))
    assert failure.message.startswith("X (details are encrypted")
    failure = await failure_of(leak)
    plain = await read_with(WITHOUT_KEY, failure)
    assert "139" not in plain and "李四" not in plain and plain.startswith("ValueError")
    assert "李四" not in failure.SerializeToString().decode("utf-8", "replace")
    assert (await read_with(CONVERTER, failure)) == str(leak)  # operators with the key see all


async def test_a_refused_intake_names_its_fields_without_their_values() -> None:
    try:
        ComplaintIntake.model_validate(
            intake("C-1", received_at, customer={"name": "李四", "contact": {"phone": "12"}})
        )
    except ValidationError as err:
        refused = err
    failure = await failure_of(refused)
    plain = await read_with(WITHOUT_KEY, failure)
    assert plain.startswith("ComplaintIntake invalid (") and "customer" in plain
    assert "李四" not in plain and "李四" not in failure.SerializeToString().decode(
        "utf-8", "replace"
    )
