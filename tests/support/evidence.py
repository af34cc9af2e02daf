"""Small real files of the kinds a customer sends, and one that only pretends to be a photo."""

from __future__ import annotations

import struct
import zlib


def _png(width: int, height: int) -> bytes:
    """A real PNG (a blue-to-grey floor with a puddle-coloured band), a few hundred bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"".join(bytes((40 + x, 90 + x // 2, 160)) for x in range(width))
    band = b"".join(bytes((20, 60 + x // 3, 200)) for x in range(width))
    pixels = b"".join(
        b"\x00" + (band if height // 3 < y < height // 2 else row) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels, 9))
        + chunk(b"IEND", b"")
    )


# A photo and a tiny JPEG, as a phone would send them (real headers, real data).
PNG = _png(160, 100)
JPEG = (
    bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb0043") + b"\x08" * 64 + b"\xff\xd9"
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
