"""Only an update's acknowledgement travels in clear, and nothing can ride along with it."""

from __future__ import annotations

import json

from google.protobuf import json_format
from temporalio.api.common.v1 import Payload
from temporalio.api.sdk.v1 import (
    WorkflowDefinition,
    WorkflowInteractionDefinition,
    WorkflowMetadata,
)
from temporalio.converter import JSONProtoPayloadConverter

from encryption.codec import ENCODING, EncryptionCodec, data_converter
from encryption.public_payloads import (
    DETAILS_NOTICE,
    PUBLIC,
    PublicJSONPayloadConverter,
    public_copy,
)
from schemas import EntryKind, Stage
from schemas.case_actions import ActionAck
from tests.support.desk import TEST_KEYS

ACK = ActionAck(
    complaint_id="C-1",
    action="plan",
    stage=Stage.INVESTIGATE,
    recorded=[EntryKind.APPROVAL_REQUESTED],
)


def _marked(data: bytes, **metadata: bytes) -> Payload:
    return Payload(
        metadata={"encoding": b"json/plain", PUBLIC: b"ActionAck", **metadata}, data=data
    )


def test_an_acknowledgement_is_marked_and_reads_back() -> None:
    payload = PublicJSONPayloadConverter().to_payload(ACK)
    assert payload is not None and payload.metadata[PUBLIC] == b"ActionAck"
    copy = public_copy(payload)
    assert copy is not None and ActionAck.model_validate_json(copy.data) == ACK
    assert json.loads(copy.data)["recorded"] == ["approval_requested"]


def test_anything_else_is_not_public() -> None:
    converter = PublicJSONPayloadConverter()
    other = converter.to_payload({"name": "王小明", "phone": "+86 138 0000 0000"})
    assert other is not None and PUBLIC not in other.metadata and public_copy(other) is None
    personal = json.dumps(
        {
            "complaint_id": "C-1",
            "action": "reply",
            "stage": "investigate",
            "recorded": [],
            "text": "王小明 +86 138",
        }
    ).encode()
    assert public_copy(_marked(personal)) is None  # a field the acknowledgement has not
    assert public_copy(_marked(b'{"complaint_id": "\xe7\x8e\x8b"}')) is None
    assert public_copy(_marked(ACK.model_dump_json().encode(), note=b"x")) is None
    not_json = Payload(metadata={"encoding": b"binary/plain", PUBLIC: b"ActionAck"}, data=b"x")
    assert public_copy(not_json) is None
    other_model = Payload(metadata={"encoding": b"json/plain", PUBLIC: b"CaseSnapshot"}, data=b"{}")
    assert public_copy(other_model) is None


def test_the_clear_copy_is_rendered_afresh_so_nothing_rides_along() -> None:
    """A duplicate key's first value, or padding, would survive if the bytes were passed on."""
    smuggled = (
        b'{"complaint_id": "wang.xiaoming@example.com", "complaint_id": "C-1", "action": "plan",'
        b' "stage": "investigate", "recorded": []}' + b" " * 64
    )
    copy = public_copy(_marked(smuggled))
    assert copy is not None
    assert b"wang" not in copy.data and copy.data == copy.data.strip()


async def test_the_codec_leaves_the_acknowledgement_in_clear_and_encrypts_the_rest() -> None:
    converter = data_converter(TEST_KEYS).payload_converter
    codec = EncryptionCodec(TEST_KEYS)
    ack, other = converter.to_payloads([ACK, {"complaint_id": "C-1", "name": "王小明"}])
    sent_ack, sent_other = await codec.encode([ack, other])
    assert sent_ack.metadata["encoding"] == b"json/plain"
    assert sent_other.metadata["encoding"] == ENCODING and "王小明".encode() not in sent_other.data
    forged = Payload(metadata=dict(other.metadata) | {PUBLIC: b"ActionAck"}, data=other.data)
    [sent_forged] = await codec.encode([forged])
    assert sent_forged.metadata["encoding"] == ENCODING
    assert converter.from_payloads(await codec.decode([sent_ack]), [ActionAck]) == [ACK]


async def test_current_details_show_a_notice_in_clear_and_the_codec_restores_them() -> None:
    """Without the codec the UI showed nothing ("No summary available"); now it says why."""
    details = WorkflowMetadata(
        current_details="**investigate** · why: 王小明说漏水",
        definition=WorkflowDefinition(
            type="Complaint", signal_definitions=[WorkflowInteractionDefinition(name="escalate")]
        ),
    )
    payload = JSONProtoPayloadConverter().to_payload(details)
    assert payload is not None
    codec = EncryptionCodec(TEST_KEYS)
    [sent] = await codec.encode([payload])
    shown = json_format.Parse(sent.data, WorkflowMetadata(), ignore_unknown_fields=True)
    assert shown.current_details == DETAILS_NOTICE and "王小明" not in sent.data.decode()
    assert [d.name for d in shown.definition.signal_definitions] == ["escalate"]
    assert "王小明".encode() not in b"".join(sent.metadata.values())  # the whole is encrypted
    [restored] = await codec.decode([sent])
    assert restored == payload
