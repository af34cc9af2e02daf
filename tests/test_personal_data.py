"""Customers' names and contacts never sit in clear in Temporal: payloads are encrypted (AES-GCM,
key id in the payload), keys rotate, the codec server lets authorised operators read them, and
logs never print them. The plain-CLI check against a real history is in test_dev_server.py."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from base64 import b64encode
from datetime import UTC, datetime
from pathlib import Path

import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from configuration import load
from encryption.codec import UndecryptablePayload, decrypt, encrypt
from encryption.codec_server import CodecConfig, serving
from encryption.keys import KEYS_ENV, KeyConfigError, KeyRing, load_keyring, local_keyring
from schemas import Audience
from tests.conftest import CONVERTER, Desk, intake
from tests.test_lifecycle import drive_to_close

PLAIN = Payload(metadata={"encoding": b"json/plain"}, data='{"name":"王小明"}'.encode())


def test_a_payload_is_unreadable_without_its_key_and_intact_with_it() -> None:
    ring = KeyRing.generate("k1")
    sealed = encrypt(ring, PLAIN)
    assert "王小明".encode() not in sealed.data and sealed.metadata["encryption-key-id"] == b"k1"
    assert decrypt(ring, sealed) == PLAIN
    assert encrypt(ring, PLAIN).data != sealed.data  # a fresh nonce each time


def test_rotation_new_key_encrypts_old_key_still_decrypts() -> None:
    old = KeyRing.generate("2026-05")
    rotated = KeyRing.parse(f"{KeyRing.generate('2026-11').render()},{old.render()}")
    assert rotated.active == "2026-11"
    assert decrypt(rotated, encrypt(old, PLAIN)) == PLAIN
    assert encrypt(rotated, PLAIN).metadata["encryption-key-id"] == b"2026-11"
    with pytest.raises(UndecryptablePayload, match="key '2026-11', which is not in"):
        decrypt(old, encrypt(rotated, PLAIN))


def test_a_tampered_payload_is_refused() -> None:
    ring = KeyRing.generate("k1")
    sealed = encrypt(ring, PLAIN)
    tampered = Payload(metadata=sealed.metadata, data=sealed.data[:-1] + b"\x00")
    with pytest.raises(UndecryptablePayload, match="fails authentication"):
        decrypt(ring, tampered)


def test_payloads_from_before_encryption_still_read() -> None:
    assert decrypt(KeyRing.generate("k1"), PLAIN) == PLAIN


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ("k1", "expected KEY_ID=BASE64"),
        ("k1=not base64!", "not base64"),
        (f"k1={b64encode(b'short').decode()}", "has 5 bytes; AES-256 needs 32"),
    ],
)
def test_a_malformed_key_ring_is_refused_with_the_fix(configured: str, message: str) -> None:
    with pytest.raises(KeyConfigError, match=message):
        KeyRing.parse(configured)


def test_no_keys_configured_is_an_error_not_a_new_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEYS_ENV, raising=False)
    monkeypatch.setenv("COMPLAINT_DESK_HOME", str(tmp_path))
    with pytest.raises(KeyConfigError, match="set COMPLAINT_PAYLOAD_KEYS"):
        load_keyring(load())
    created = local_keyring(load().keys_file)  # what ./dev up does on a laptop
    assert (tmp_path / "payload-keys").stat().st_mode & 0o777 == 0o600
    assert load_keyring(load()) == created
    monkeypatch.setenv(KEYS_ENV, KeyRing.generate("from-env").render())
    assert load_keyring(load()).active == "from-env"


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def payloads_json(*payloads: Payload) -> bytes:
    return json.dumps(json_format.MessageToDict(Payloads(payloads=list(payloads)))).encode()


def test_the_codec_server_decodes_for_operators_holding_the_token() -> None:
    ring = KeyRing.generate("k1")
    with serving(CodecConfig(ring, token="s3cret")) as url:
        sealed = payloads_json(encrypt(ring, PLAIN))
        status, _ = post(f"{url}/decode", sealed)
        assert status == 401
        status, body = post(f"{url}/decode", sealed, {"Authorization": "Bearer s3cret"})
        assert status == 200
        assert json_format.Parse(body, Payloads()).payloads[0] == PLAIN
        # as the Temporal UI asks
        ui = f"{url}/decode?preserveStorageRefs=true"
        status, body = post(
            ui, sealed, {"Authorization": "Bearer s3cret", "X-Namespace": "default"}
        )
        assert status == 200 and json_format.Parse(body, Payloads()).payloads[0] == PLAIN

        status, body = post(f"{url}/decode", b"{not json", {"Authorization": "Bearer s3cret"})
        assert status == 400 and b"not Payloads JSON" in body


def test_the_codec_server_answers_the_ui_preflight_for_its_origin_only() -> None:
    def preflight(url: str, origin: str) -> str | None:
        request = urllib.request.Request(f"{url}/decode", method="OPTIONS")
        request.add_header("Origin", origin)
        with urllib.request.urlopen(request, timeout=5) as response:
            allowed: str | None = response.headers.get("Access-Control-Allow-Origin")
            return allowed

    with serving(CodecConfig(KeyRing.generate("k1"))) as url:
        assert preflight(url, "http://localhost:8233") == "http://localhost:8233"
        assert preflight(url, "http://evil.example") is None


async def test_the_data_converter_encrypts_what_goes_to_temporal() -> None:
    sealed = await CONVERTER.encode([intake("C-1", datetime.now(UTC))])
    assert all(p.metadata["encoding"] == b"binary/encrypted" for p in sealed)
    assert "王小明".encode() not in sealed[0].data


async def test_a_lifecycle_never_logs_the_customers_name_or_phone(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cid = await desk.open()
    await drive_to_close(desk, cid)
    await desk.api.reply(cid, {"text": "好了", "intent": "confirm_resolved"})
    await desk.until_notified(cid, Audience.CUSTOMER, "closed")
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert cid in logged  # the logs were captured
    assert "王小明" not in logged and "138 0000 0000" not in logged
