"""The codec server: lets the Temporal Web UI and the `temporal` CLI show decrypted payloads to
the operators allowed to see them, while the server itself only ever stores ciphertext.

    complaint-desk codec-server [--port 8081]
    temporal workflow show -w complaint-C-1 --codec-endpoint http://localhost:8081
    temporal server start-dev --ui-codec-endpoint http://localhost:8081   # ./dev up does this

It speaks Temporal's remote codec protocol: POST /encode and /decode with `{"payloads": [...]}`
in protobuf JSON. With `COMPLAINT_CODEC_TOKEN` set, a request must carry
`Authorization: Bearer <token>` (the CLI's `--codec-auth`); without it, bind it to localhost only.
"""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import structlog
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from encryption.codec import UndecryptablePayload, decrypt, encrypt
from encryption.keys import KeyRing

TOKEN_ENV = "COMPLAINT_CODEC_TOKEN"
DEFAULT_PORT = 8081
LOCAL_UI_ORIGINS = ("http://localhost:8233", "http://127.0.0.1:8233")
MAX_BODY = 8 * 1024 * 1024  # several of Temporal's 2 MB payloads; a page asks for a few at a time

log = structlog.get_logger("complaint_desk.codec_server")


@dataclass(frozen=True)
class CodecConfig:
    ring: KeyRing
    origins: tuple[str, ...] = LOCAL_UI_ORIGINS
    token: str | None = None


def _handler(config: CodecConfig) -> type[BaseHTTPRequestHandler]:
    transforms: dict[str, Callable[[KeyRing, Payload], Payload]] = {
        "/encode": encrypt,
        "/decode": decrypt,
    }

    class Handler(BaseHTTPRequestHandler):
        def do_OPTIONS(self) -> None:  # the browser's preflight, before the UI's POST
            self.send_response(HTTPStatus.NO_CONTENT)
            self._cors()
            self.end_headers()

        def do_POST(self) -> None:
            # The Temporal UI adds query parameters (`/decode?preserveStorageRefs=true`).
            transform = transforms.get(urlsplit(self.path).path.rstrip("/"))
            if transform is None:
                return self._reply(HTTPStatus.NOT_FOUND, {"message": "use /encode or /decode"})
            if not self._authorised():
                return self._reply(HTTPStatus.UNAUTHORIZED, {"message": "bearer token required"})
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"message": "too large"})
            try:
                payloads = json_format.Parse(self.rfile.read(length), Payloads())
                done = [transform(config.ring, p) for p in payloads.payloads]
            except (json_format.ParseError, UnicodeDecodeError) as err:
                return self._reply(HTTPStatus.BAD_REQUEST, {"message": f"not Payloads JSON: {err}"})
            except UndecryptablePayload as err:
                return self._reply(HTTPStatus.BAD_REQUEST, {"message": str(err)})
            log.info("payloads decoded" if transform is decrypt else "payloads encoded",
                     count=len(done), namespace=self.headers.get("X-Namespace"))  # fmt: skip
            self._reply(HTTPStatus.OK, json_format.MessageToDict(Payloads(payloads=done)))

        def _authorised(self) -> bool:
            if config.token is None:
                return True
            given = self.headers.get("Authorization", "")
            return hmac.compare_digest(given.encode(), f"Bearer {config.token}".encode())

        def _cors(self) -> None:
            origin = self.headers.get("Origin")
            if origin in config.origins:
                self.send_header("Access-Control-Allow-Origin", origin)
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
                self.send_header(
                    "Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization"
                )
                self.send_header("Access-Control-Allow-Credentials", "true")
                self.send_header("Vary", "Origin")

        def _reply(self, status: HTTPStatus, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self._cors()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            """Requests are logged above, as structured events; never their payloads."""

    return Handler


def codec_server(
    config: CodecConfig, host: str = "127.0.0.1", port: int = DEFAULT_PORT
) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), _handler(config))


@contextmanager
def serving(config: CodecConfig, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run the server on a thread for the duration; yields its URL (port 0 picks a free one)."""
    server = codec_server(config, host, port)
    thread = threading.Thread(target=server.serve_forever, name="codec-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
