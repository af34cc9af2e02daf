"""Customers' names and contacts never sit in clear in Temporal: payloads are encrypted (AES-GCM,
key id in the payload), keys rotate, the codec server lets authorised operators read them, and
logs never print them. The plain-CLI check against a real history is in test_dev_server.py."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from base64 import b64encode
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from configuration import load
from encryption.codec import UndecryptablePayload, decrypt, encrypt
from encryption.codec_server import CodecConfig, CodecServerRefused, codec_server, serving
from encryption.keys import KEYS_ENV, KeyConfigError, KeyRing, load_keyring, local_keyring
from schemas import Audience
from starter.local import free_port, installed_binary
from tests.support.desk import CONVERTER, Desk, intake
from tests.support.lifecycle import drive_to_close

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


def test_encoding_again_what_is_encrypted_changes_nothing() -> None:
    """The `temporal` CLI re-sends a request it already encoded through the codec server
    (tests/test_cli_resends.py): the second encoding must give back the same payload."""
    ring = KeyRing.generate("k1")
    sealed = encrypt(ring, PLAIN)
    assert encrypt(ring, sealed) == sealed


def test_a_payload_sealed_twice_reads_in_full() -> None:
    """What a codec server from before that fix stored: a payload sealed over a sealed one."""
    ring = KeyRing.generate("k1")
    inner = encrypt(ring, PLAIN)
    nonce = os.urandom(12)
    outer = Payload(
        metadata={"encoding": b"binary/encrypted", "encryption-key-id": b"k1"},
        data=nonce + AESGCM(ring.keys["k1"]).encrypt(nonce, inner.SerializeToString(), b"k1"),
    )
    assert decrypt(ring, outer) == PLAIN


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


def exchange(url: str, request: bytes, pause_after: int | None = None) -> tuple[int, bytes]:
    """One raw HTTP exchange, as a careless or hostile client would write it (urllib would fix
    up the Host and Content-Length headers); `pause_after` bytes, then it stops sending."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as connection:
        connection.sendall(request[:pause_after] if pause_after else request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def raw_post(url: str, body: bytes, headers: dict[str, str]) -> bytes:
    parts = urlsplit(url)
    lines = [f"POST {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_the_codec_server_refuses_to_listen_beyond_loopback_without_a_token() -> None:
    ring = KeyRing.generate("k1")
    with pytest.raises(CodecServerRefused, match="COMPLAINT_CODEC_TOKEN"):
        codec_server(CodecConfig(ring), "0.0.0.0", 0)
    with_token = codec_server(CodecConfig(ring, token="s3cret"), "0.0.0.0", 0)  # allowed
    with_token.server_close()
    # The command operators run says why, and stops.
    env = {**os.environ, KEYS_ENV: ring.render()}
    env.pop("COMPLAINT_CODEC_TOKEN", None)
    done = subprocess.run(
        [
            installed_binary("complaint-desk"),
            "codec-server",
            "--host",
            "0.0.0.0",
            "--port",
            str(free_port()),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "without a token" in done.stderr


def test_the_codec_server_answers_only_to_its_own_host_names() -> None:
    ring = KeyRing.generate("k1")
    sealed = payloads_json(encrypt(ring, PLAIN))
    config = CodecConfig(ring, allowed_hosts=("codec.example.com",))
    with serving(config) as url:
        port = int(urlsplit(url).port or 0)
        for host, expected in [
            (f"127.0.0.1:{port}", 200),
            (f"localhost:{port}", 200),
            ("codec.example.com", 200),
            (f"evil.example:{port}", 421),  # a DNS-rebinding page: its own name, our address
            (f"127.0.0.1:{port + 1}", 421),
        ]:
            headers = {"Host": host, "Content-Length": str(len(sealed))}
            status, _ = exchange(url, raw_post(f"{url}/decode", sealed, headers))
            assert status == expected, host
        status, _ = exchange(url, raw_post(f"{url}/decode", sealed, {"Content-Length": "2"}))
        assert status == 421  # no Host at all


def test_the_codec_server_refuses_bodies_it_cannot_bound() -> None:
    ring = KeyRing.generate("k1")
    with serving(CodecConfig(ring)) as url:
        host = urlsplit(url).netloc
        for length, expected in [("-1", 400), ("abc", 400), (str(64 * 1024 * 1024), 413)]:
            headers = {"Host": host, "Content-Length": length}
            status, body = exchange(url, raw_post(f"{url}/decode", b"{}", headers))
            assert status == expected and b"message" in body, length
        status, _ = exchange(url, raw_post(f"{url}/decode", b"{}", {"Host": host}))
        assert status == 411  # no Content-Length
        chunked = {"Host": host, "Transfer-Encoding": "chunked"}
        status, _ = exchange(url, raw_post(f"{url}/decode", b"2\r\n{}\r\n0\r\n\r\n", chunked))
        assert status == 411


def test_a_slow_client_cannot_hold_the_codec_server() -> None:
    ring = KeyRing.generate("k1")
    sealed = payloads_json(encrypt(ring, PLAIN))
    with serving(CodecConfig(ring, read_timeout=0.3)) as url:
        host = urlsplit(url).netloc
        request = raw_post(f"{url}/decode", sealed, {"Host": host, "Content-Length": "100"})
        started = time.monotonic()
        status, _ = exchange(url, request, pause_after=len(request) - len(sealed) + 10)
        assert status == 408 and time.monotonic() - started < 4
        # A byte at a time, each within the read timeout: the whole body still has a limit.
    with serving(CodecConfig(ring, read_timeout=0.5, body_timeout=0.6)) as url:
        host = urlsplit(url).netloc
        request = raw_post(
            f"{url}/decode", sealed, {"Host": host, "Content-Length": str(len(sealed))}
        )
        assert trickled(url, request, len(request) - len(sealed), every=0.1) == 408
        # The headers a byte at a time: the connection is cut all the same.
        assert trickled(url, request, 1, every=0.1) is None
        # Half a request line, then silence: the connection is dropped, not kept.
        half = exchange_closed(url, b"POST /dec")
        assert half
        assert post(f"{url}/decode", sealed)[0] == 200  # and everyone else is served


def trickled(url: str, request: bytes, head: int, every: float) -> int | None:
    """Send `head` bytes at once, then the rest a byte every `every` seconds until the server
    answers; returns its status, or None when it closed the connection without one."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as connection:
        connection.sendall(request[:head])
        connection.settimeout(every)
        for i in range(head, len(request)):
            connection.sendall(request[i : i + 1])
            try:
                answer = connection.recv(65536)
            except TimeoutError:
                continue
            return int(answer.split()[1]) if answer else None
    raise AssertionError("the server read the whole trickled body")


def exchange_closed(url: str, request: bytes) -> bool:
    """True when the server closes a connection that stopped sending midway."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as connection:
        connection.sendall(request)
        return connection.recv(65536) == b""


def test_with_the_token_the_ui_still_decodes() -> None:
    """The Temporal UI's request with its "pass access token" option: preflight without the
    token, then the POST with Authorization, X-Namespace and its Origin."""
    ring = KeyRing.generate("k1")
    sealed = payloads_json(encrypt(ring, PLAIN))
    with serving(CodecConfig(ring, token="s3cret")) as url:
        preflight = urllib.request.Request(f"{url}/decode", method="OPTIONS")
        preflight.add_header("Origin", "http://localhost:8233")
        preflight.add_header(
            "Access-Control-Request-Headers", "authorization,content-type,x-namespace"
        )
        with urllib.request.urlopen(preflight, timeout=5) as response:
            assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
        ui = {
            "Origin": "http://localhost:8233",
            "Authorization": "Bearer s3cret",
            "Content-Type": "application/json",
            "X-Namespace": "default",
        }
        status, body = post(f"{url}/decode?preserveStorageRefs=true", sealed, ui)
        assert status == 200 and json_format.Parse(body, Payloads()).payloads[0] == PLAIN
        assert post(f"{url}/encode", payloads_json(PLAIN))[0] == 401  # /encode is behind it too


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
