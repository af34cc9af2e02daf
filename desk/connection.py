"""Connecting to Temporal with the payload codec: the one way every process gets a client.

Kept apart from `desk.service` so a command that only reads a case (`show`) connects without
loading the workflow code (docs/benchmarks.md, "CLI latency").
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.envconfig import ClientConfig
from temporalio.runtime import Runtime

from configuration import environment
from desk.errors import Unreachable
from encryption.codec import data_converter
from encryption.keys import KeyRing

DEFAULT_ADDRESS = "localhost:7233"


def local_address() -> str:
    """The local dev server's address: `complaint-desk up`'s port
    (`COMPLAINT_DESK_TEMPORAL_PORT`), so a second terminal finds the server `up` started on
    another port without being told twice."""
    port = environment.raw("complaint_desk_temporal_port")
    return f"localhost:{port}" if port else DEFAULT_ADDRESS


async def connect(
    *,
    ring: KeyRing,
    profile: str | None = None,
    runtime: Runtime | None = None,
    target: str | None = None,
) -> Client:
    """Connect as Temporal's environment configuration says (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
    TEMPORAL_API_KEY, TLS settings, or a profile in temporal.toml); the local dev server
    otherwise (`local_address`), or `target` when given. Payloads are encrypted with the key
    ring (`encryption.keys`, `load_keyring(settings)`); `runtime` carries the worker's metrics
    (`telemetry.metrics`). No server answers: `Unreachable`."""
    config = ClientConfig.load_client_connect_config(profile=profile)
    config.setdefault("target_host", local_address())
    if target:
        config["target_host"] = target
    converter = data_converter(ring)
    try:
        return await Client.connect(**config, data_converter=converter, runtime=runtime)
    except RuntimeError as err:  # the SDK's "Failed client connect: …"
        raise Unreachable(f"cannot reach Temporal: {err}") from None
