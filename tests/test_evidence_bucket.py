"""Evidence in an S3-compatible bucket (`EVIDENCE_BUCKET_URL`): the same interface as the folder,
against moto's S3 server (a real HTTP server speaking the S3 protocol, from a wheel), and each
request signed exactly as botocore, AWS's own signer, signs it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import botocore.auth
import httpx
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto.server import ThreadedMotoServer

from configuration.settings import Settings
from evidence.storage import BlobMissing, S3Blobs, blobs_for, digest, sign
from starter.local import free_port
from tests.support.evidence import PDF, PNG

KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"  # a bucket elsewhere is made with a location body; the signature is the same


@pytest.fixture
def bucket() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        origin = f"127.0.0.1:{port}"
        made = httpx.put(
            f"http://{origin}/evidence",
            headers=sign("PUT", origin, "/evidence", b"", KEY, SECRET, REGION, datetime.now(UTC)),
        )
        made.raise_for_status()
        yield f"http://{origin}/evidence/desk-a"
    finally:
        server.stop()


async def test_files_go_to_the_bucket_once_by_digest_and_come_back_checked(bucket: str) -> None:
    settings = Settings(
        evidence_bucket_url=bucket,
        evidence_bucket_access_key=KEY,
        evidence_bucket_secret_key=SECRET,
        evidence_bucket_region=REGION,
    )
    blobs = blobs_for(settings)
    assert isinstance(blobs, S3Blobs)
    await blobs.put(digest(PNG), PNG)
    await blobs.put(digest(PNG), PNG)  # already there: nothing written
    await blobs.put(digest(PDF), PDF)
    assert await blobs.get(digest(PNG)) == PNG
    assert await blobs.get(digest(PDF)) == PDF
    with pytest.raises(BlobMissing):
        await blobs.get("0" * 64)
    with pytest.raises(BlobMissing):  # bytes that are not what their name says are not served
        await blobs.put(digest(b"other"), PNG)
        await blobs.get(digest(b"other"))


def test_a_request_is_signed_as_aws_signs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
    path = "/evidence/desk-a/ab/" + "ab" * 32
    ours = sign("PUT", "s3.example.cn:9000", path, PNG, KEY, SECRET, "cn-north-1", now)
    request = AWSRequest(
        method="PUT",
        url=f"https://s3.example.cn:9000{path}",
        data=PNG,
        headers={"x-amz-content-sha256": ours["x-amz-content-sha256"]},
    )
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: now)  # the same moment
    S3SigV4Auth(Credentials(KEY, SECRET), "s3", "cn-north-1").add_auth(request)
    assert ours["authorization"] == request.headers["Authorization"]
