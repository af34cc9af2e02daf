"""The key ring: which keys may decrypt, and which one encrypts now.

Configured as `COMPLAINT_PAYLOAD_KEYS="2026-11=<base64 32 bytes>,2026-05=<base64 32 bytes>"`: the
first key encrypts, every listed key decrypts. Rotating is adding a new key in front and, once no
open case holds payloads under the old one, dropping it. Every process that reads or writes cases
(workers, the API's callers, the codec server) must be given the same ring.

Without the variable, the local system's ring in `$COMPLAINT_DESK_HOME` is used (`./dev up`
creates it), so a laptop works out of the box; a production process with no keys refuses to start rather than
invent a key of its own that no other process could read.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from configuration import Settings

KEYS_ENV = "COMPLAINT_PAYLOAD_KEYS"
KEY_BYTES = 32  # AES-256


class KeyConfigError(ValueError):
    """The key configuration is missing or malformed; the message says how to fix it."""


@dataclass(frozen=True)
class KeyRing:
    active: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        keys: dict[str, bytes] = {}
        for item in (part.strip() for part in text.split(",")):
            key_id, sep, encoded = item.partition("=")
            if not sep or not key_id.strip():
                raise KeyConfigError(f"{KEYS_ENV}: expected KEY_ID=BASE64 entries, got {item!r}")
            try:
                key = base64.b64decode(encoded.strip(), validate=True)
            except binascii.Error:
                raise KeyConfigError(f"{KEYS_ENV}: key {key_id!r} is not base64") from None
            if len(key) != KEY_BYTES:
                raise KeyConfigError(
                    f"{KEYS_ENV}: key {key_id!r} has {len(key)} bytes; AES-256 needs {KEY_BYTES}"
                )
            keys[key_id.strip()] = key
        return cls(active=next(iter(keys)), keys=keys)

    @classmethod
    def generate(cls, key_id: str | None = None) -> KeyRing:
        key_id = key_id or datetime.now(UTC).strftime("%Y-%m-%d")
        return cls(active=key_id, keys={key_id: secrets.token_bytes(KEY_BYTES)})

    def render(self) -> str:
        """The ring in the form `parse` reads, active key first."""
        ordered = [self.active, *(k for k in self.keys if k != self.active)]
        return ",".join(f"{k}={base64.b64encode(self.keys[k]).decode()}" for k in ordered)


def load_keyring(settings: Settings) -> KeyRing:
    """`COMPLAINT_PAYLOAD_KEYS`, else the local system's ring in the home folder."""
    configured = settings.complaint_payload_keys
    if configured:
        return KeyRing.parse(configured.get_secret_value())
    local = settings.keys_file
    if local.exists():
        return KeyRing.parse(local.read_text(encoding="utf-8").strip())
    raise KeyConfigError(
        f"no payload keys: set {KEYS_ENV} (see docs/operating.md, 'Personal data'), "
        f"or run `./dev up` once to create the local ring in {local}"
    )


def local_keyring(path: Path) -> KeyRing:
    """The laptop's ring in `path`, created on first use and readable by its owner only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(KeyRing.generate().render() + "\n", encoding="utf-8")
    return KeyRing.parse(path.read_text(encoding="utf-8").strip())
