"""Small real files of the kinds a customer sends, and one that only pretends to be a photo."""

from __future__ import annotations

import base64

# A 1x1 PNG and a tiny JPEG, as a phone would send them (real headers, real data).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
JPEG = (
    bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb0043") + b"\x08" * 64 + b"\xff\xd9"
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
