"""The codec server: lets the Temporal Web UI and the `temporal` CLI show decrypted payloads to
the operators allowed to see them, while the server itself only ever stores ciphertext.

    complaint-desk codec-server [--port 8081]
    temporal workflow show -w complaint-C-1 --codec-endpoint http://localhost:8081
    temporal server start-dev --ui-codec-endpoint http://localhost:8081   # ./dev up does this

It speaks Temporal's remote codec protocol: POST /encode and /decode with `{"payloads": [...]}`
in protobuf JSON. Its door, since what it returns is customers' names and phones in clear:

- without `COMPLAINT_CODEC_TOKEN` it listens on loopback only, and refuses to start on any other
  address; with it, every /encode and /decode must carry `Authorization: Bearer <token>` (the
  CLI's `--codec-auth "Bearer <token>"`);
- the `Host` header must name this server (localhost, 127.0.0.1 or [::1] with its port, or one
  of `COMPLAINT_CODEC_ALLOWED_HOSTS`), so a web page that rebinds its own DNS name to 127.0.0.1
  cannot have a browser read decoded payloads;
- the body must declare its length (no more than 8 MB) and arrive within the read timeout, so a
  slow or lying client cannot hold a thread.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import socket
import threading
import time
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
READ_TIMEOUT = 10.0  # seconds any one read (or write) on a client's connection may wait
BODY_TIMEOUT = 60.0  # seconds a whole request body may take, however it trickles in
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")

log = structlog.get_logger("complaint_desk.codec_server")


class CodecServerRefused(Exception):
    """The server would be reachable beyond this machine without a token: it does not start."""


@dataclass(frozen=True)
class CodecConfig:
    ring: KeyRing
    origins: tuple[str, ...] = LOCAL_UI_ORIGINS
    token: str | None = None
    allowed_hosts: tuple[str, ...] = ()  # names besides loopback (`codec.example.com[:443]`)
    read_timeout: float = READ_TIMEOUT
    body_timeout: float = BODY_TIMEOUT


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a name: it may resolve anywhere
        return False


def _hosts(config: CodecConfig, port: int) -> frozenset[str]:
    """The `Host` values this server answers to."""
    return frozenset(
        [f"{name}:{port}" for name in LOOPBACK_NAMES]
        + [name.lower() for name in config.allowed_hosts]
    )


def _handler(config: CodecConfig, port: int) -> type[BaseHTTPRequestHandler]:
    hosts = _hosts(config, port)
    transforms: dict[str, Callable[[KeyRing, Payload], Payload]] = {
        "/encode": encrypt,
        "/decode": decrypt,
    }

    class Handler(BaseHTTPRequestHandler):
        timeout = config.read_timeout  # on the socket: every read and write, not the whole request

        def setup(self) -> None:
            super().setup()
            # However slowly the request line and headers trickle in, the connection is cut
            # once the whole exchange has taken `body_timeout` (plus a read's time to answer).
            self._cut_off = threading.Timer(config.body_timeout + config.read_timeout, self._cut)
            self._cut_off.daemon = True
            self._cut_off.start()

        def finish(self) -> None:
            self._cut_off.cancel()
            super().finish()

        def _cut(self) -> None:
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def do_OPTIONS(self) -> None:  # the browser's preflight, before the UI's POST
            if not self._host_allowed():
                return self._reply(HTTPStatus.MISDIRECTED_REQUEST, {"message": "unknown Host"})
            self.send_response(HTTPStatus.NO_CONTENT)
            self._cors()
            self.end_headers()

        def do_POST(self) -> None:
            if not self._host_allowed():
                return self._reply(HTTPStatus.MISDIRECTED_REQUEST, {"message": "unknown Host"})
            # The Temporal UI adds query parameters (`/decode?preserveStorageRefs=true`).
            transform = transforms.get(urlsplit(self.path).path.rstrip("/"))
            if transform is None:
                return self._reply(HTTPStatus.NOT_FOUND, {"message": "use /encode or /decode"})
            if not self._authorised():
                return self._reply(HTTPStatus.UNAUTHORIZED, {"message": "bearer token required"})
            length = self._declared_length()
            if length is None:
                return None  # refused, with the reason
            try:
                body = self._read_body(length)
            except TimeoutError:
                self.close_connection = True
                return self._reply(HTTPStatus.REQUEST_TIMEOUT, {"message": "body too slow"})
            if len(body) < length:  # the client hung up early
                self.close_connection = True
                return self._reply(
                    HTTPStatus.BAD_REQUEST, {"message": "body shorter than declared"}
                )
            try:
                payloads = json_format.Parse(body, Payloads())
                done = [transform(config.ring, p) for p in payloads.payloads]
            except (json_format.ParseError, UnicodeDecodeError) as err:
                return self._reply(HTTPStatus.BAD_REQUEST, {"message": f"not Payloads JSON: {err}"})
            except UndecryptablePayload as err:
                return self._reply(HTTPStatus.BAD_REQUEST, {"message": str(err)})
            log.info(
                "payloads decoded" if transform is decrypt else "payloads encoded",
                count=len(done),
                namespace=self.headers.get("X-Namespace"),
            )
            self._reply(HTTPStatus.OK, json_format.MessageToDict(Payloads(payloads=done)))

        def _read_body(self, length: int) -> bytes:
            """The body, in chunks: each read waits at most `read_timeout` (the socket's), and
            the whole body at most `body_timeout`, so a client trickling a byte at a time cannot
            hold the thread either."""
            deadline = time.monotonic() + config.body_timeout
            chunks: list[bytes] = []
            left = length
            while left > 0:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = self.rfile.read1(min(left, 64 * 1024))
                if not chunk:  # the client hung up
                    break
                chunks.append(chunk)
                left -= len(chunk)
            return b"".join(chunks)

        def _host_allowed(self) -> bool:
            return (self.headers.get("Host") or "").lower() in hosts

        def _declared_length(self) -> int | None:
            """The body's length as declared, or None once refused: it must be there (no
            chunked bodies), a plain non-negative number, and within the limit."""
            keep_alive = not self.close_connection
            self.close_connection = True  # a refused body is never read: drop the connection
            declared = self.headers.get("Content-Length")
            if declared is None or "Transfer-Encoding" in self.headers:
                self._reply(HTTPStatus.LENGTH_REQUIRED, {"message": "Content-Length required"})
                return None
            if not declared.strip().isdigit():
                self._reply(HTTPStatus.BAD_REQUEST, {"message": "bad Content-Length"})
                return None
            length = int(declared)
            if length > MAX_BODY:
                self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"message": "too large"})
                return None
            self.close_connection = not keep_alive
            return length

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
    """The server, bound; refused (CodecServerRefused) off loopback without a token."""
    if config.token is None and not is_loopback(host):
        raise CodecServerRefused(
            f"refusing to serve decrypted payloads on {host} without a token: anyone who reaches "
            f"it could read customers' names and contacts. Set COMPLAINT_CODEC_TOKEN (clients "
            f"then send `Authorization: Bearer <token>`), or listen on 127.0.0.1"
        )
    server = ThreadingHTTPServer((host, port), BaseHTTPRequestHandler)
    server.daemon_threads = True
    server.RequestHandlerClass = _handler(config, server.server_address[1])
    return server


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
