"""The client calls a driver makes, counted by kind at the wire (every request the client sends
to Temporal), so that the ladder can show the twin's driver makes the lifecycle's calls and no
more: a readiness poll or a refused update is load on the server and the worker that the
ratio would otherwise charge to the wrong rung."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import cast

import google.protobuf.message
from temporalio.api.workflowservice.v1 import UpdateWorkflowExecutionResponse
from temporalio.client import Client
from temporalio.service import ServiceClient, ServiceResponse, _BridgeServiceClient

KINDS = {
    "start_workflow_execution": "starts",
    "update_workflow_execution": "updates",
    "signal_workflow_execution": "signals",
    "query_workflow": "queries",
    "describe_workflow_execution": "describes",
    "get_workflow_execution_history": "history reads",
}
REFUSED = "refused updates"
# In the order the ladder prints them.
SHOWN = ("starts", "updates", REFUSED, "signals", "describes", "queries", "history reads", "other")


class CountingService(ServiceClient):
    """Another client's connection, counting each request by kind; an update answered with a
    failure (refused in the workflow's validator) counts as refused, not as an update."""

    def __init__(self, inner: ServiceClient) -> None:
        super().__init__(inner.config)
        self.inner = inner
        self.calls: Counter[str] = Counter()
        self.sequence: list[str] = []  # each call's kind, in the order made

    @property
    def worker_service_client(self) -> _BridgeServiceClient:
        return self.inner.worker_service_client

    def update_rpc_metadata(self, metadata: Mapping[str, str | bytes]) -> None:
        self.inner.update_rpc_metadata(metadata)

    def update_api_key(self, api_key: str | None) -> None:
        self.inner.update_api_key(api_key)

    async def _rpc_call(
        self,
        rpc: str,
        req: google.protobuf.message.Message,
        resp_type: type[ServiceResponse],
        *,
        service: str,
        retry: bool,
        metadata: Mapping[str, str | bytes],
        timeout: timedelta | None,  # noqa: ASYNC109 (the SDK's signature)
    ) -> ServiceResponse:
        response = await self.inner._rpc_call(
            rpc, req, resp_type, service=service, retry=retry, metadata=metadata, timeout=timeout
        )
        kind = KINDS.get(rpc, "other")
        if kind == "updates" and cast(UpdateWorkflowExecutionResponse, response).outcome.HasField(
            "failure"
        ):
            kind = REFUSED
        self.calls[kind] += 1
        self.sequence.append(kind)
        return response


def counting(client: Client) -> tuple[Client, CountingService]:
    """The same client (namespace, data converter), its calls counted."""
    service = CountingService(client.service_client)
    counted = Client(service, namespace=client.namespace, data_converter=client.data_converter)
    return counted, service


def per_lifecycle(calls: Mapping[str, int], lifecycles: int) -> dict[str, float]:
    return {kind: calls.get(kind, 0) / lifecycles for kind in SHOWN}


def in_turn(sequence: list[str]) -> list[str]:
    """The calls in order with each wait told once: a run of queries (polling the case) is one
    wait, and a refused update with the try that got through is one update. What is left must
    be the same for the twin's driver as for the lifecycle's."""
    out: list[str] = []
    for kind in sequence:
        if kind == REFUSED:
            continue
        if kind == "queries" and out and out[-1] == "queries":
            continue
        if kind == "history reads" and out and out[-1] == "history reads":
            continue
        out.append(kind)
    return out
