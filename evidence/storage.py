"""Where evidence bytes live: one blob per SHA-256, written once, never changed.

`Blobs` is the interface; `FileBlobs` keeps them in a folder under the home (the default,
`$COMPLAINT_DESK_HOME/evidence`, 0700, each file 0600), `S3Blobs` in an S3-compatible bucket
(`EVIDENCE_BUCKET_URL`, signed with AWS Signature V4 over plain HTTPS). A blob is named by its
digest, so the same bytes sent twice (a mail delivered again, the same photo on two cases) are
stored once, and a reader checks what it got against the name.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

import httpx

from configuration.settings import Settings


class BlobMissing(Exception):
    """No blob of that digest (or one whose bytes no longer match it)."""


class Blobs(Protocol):
    async def put(self, sha256: str, data: bytes) -> None:
        """Store `data` under its digest; storing the same digest again changes nothing."""

    async def get(self, sha256: str) -> bytes:
        """The bytes of that digest, checked; `BlobMissing` if absent or altered."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked(sha256: str, data: bytes) -> bytes:
    if digest(data) != sha256:
        raise BlobMissing(sha256)
    return data


class FileBlobs:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / sha256

    async def put(self, sha256: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, sha256, data)

    def _put(self, sha256: str, data: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        partial.rename(path)  # whole or absent: a reader never sees half a file

    async def get(self, sha256: str) -> bytes:
        try:
            data = await asyncio.to_thread(self._path(sha256).read_bytes)
        except FileNotFoundError:
            raise BlobMissing(sha256) from None
        return _checked(sha256, data)


class S3Blobs:
    """A bucket of an S3-compatible service: `https://host[:port]/bucket[/prefix]` with an
    access key and secret (`EVIDENCE_BUCKET_*`); path-style requests, so MinIO and Ceph serve too."""

    def __init__(self, url: str, access_key: str, secret_key: str, region: str) -> None:
        parts = urlsplit(url.rstrip("/"))
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._host = parts.netloc
        self._path = parts.path or "/"
        self._access = access_key
        self._secret = secret_key
        self._region = region

    async def put(self, sha256: str, data: bytes) -> None:
        async with httpx.AsyncClient(timeout=60) as client:
            head = await self._send(client, "HEAD", sha256, b"")
            if head.status_code == 200:
                return
            put = await self._send(client, "PUT", sha256, data)
            put.raise_for_status()

    async def get(self, sha256: str) -> bytes:
        async with httpx.AsyncClient(timeout=60) as client:
            got = await self._send(client, "GET", sha256, b"")
        if got.status_code == 404:
            raise BlobMissing(sha256)
        got.raise_for_status()
        return _checked(sha256, got.content)

    async def _send(
        self, client: httpx.AsyncClient, method: str, sha256: str, body: bytes
    ) -> httpx.Response:
        path = f"{self._path.rstrip('/')}/{sha256[:2]}/{sha256}"
        headers = sign(
            method,
            self._host,
            path,
            body,
            self._access,
            self._secret,
            self._region,
            datetime.now(UTC),
        )
        return await client.request(method, self._origin + path, headers=headers, content=body)


def sign(
    method: str,
    host: str,
    path: str,
    body: bytes,
    access_key: str,
    secret_key: str,
    region: str,
    now: datetime,
) -> dict[str, str]:
    """The headers of an AWS Signature Version 4 request with no query string."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    payload = hashlib.sha256(body).hexdigest()
    headers = {"host": host, "x-amz-content-sha256": payload, "x-amz-date": stamp}
    names = ";".join(sorted(headers))
    canonical = "\n".join(
        [
            method,
            quote(path, safe="/-_.~"),
            "",
            "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)),
            names,
            payload,
        ]
    )
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = f"AWS4{secret_key}".encode()
    for part in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={names}, "
        f"Signature={signature}"
    )
    return headers


def blobs_for(settings: Settings) -> Blobs:
    """The store the settings name: a bucket if `EVIDENCE_BUCKET_URL` is set, else the folder."""
    if settings.evidence_bucket_url:
        secret = settings.evidence_bucket_secret_key
        return S3Blobs(
            settings.evidence_bucket_url,
            settings.evidence_bucket_access_key or "",
            secret.get_secret_value() if secret else "",
            settings.evidence_bucket_region,
        )
    return FileBlobs(settings.evidence_folder)
