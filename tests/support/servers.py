"""The real Temporal dev server (the one `complaint-desk up` runs) for the tests that need its
histories, its visibility or its CLI: started and stopped by the test that asks for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from starter.local import SERVER_LIMITS, dynamic_config_args, installed_binary
from tests.support.desk import CONVERTER
from workflows import search_attributes

TEST_SERVER, DEV_SERVER = "test server", "dev server"
# `@on_both_servers`: the test runs on its own time-skipping test server, then again on its
# module's dev server (`dev_env`), there in the system tier (`devserver`).
on_both_servers = pytest.mark.parametrize(
    "env", [TEST_SERVER, pytest.param(DEV_SERVER, marks=pytest.mark.devserver)], indirect=True
)

# Long enough for a dev server starting on a busy 2-core machine (the SDK's default of a few
# seconds failed there); the wait ends as soon as the server answers.
DEV_SERVER_STARTUP = timedelta(seconds=60)


@asynccontextmanager
async def dev_server(
    config: Mapping[str, object] | None = None,
) -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server, its histories the ones production writes, its limits the
    ones `complaint-desk up` sets; `config` sets more dynamic-config values (name: value)."""
    environment = await WorkflowEnvironment.start_local(
        data_converter=CONVERTER,
        dev_server_existing_path=installed_binary("temporal"),
        search_attributes=search_attributes.ALL,
        dev_server_extra_args=dynamic_config_args({**SERVER_LIMITS, **(config or {})}),
        dev_server_startup_timeout=DEV_SERVER_STARTUP,
    )
    try:
        yield environment
    finally:
        await environment.shutdown()
