"""The one private SDK name the workers use (worker.py `single_batch`), pinned: if temporalio
renames or renumbers it, this fails here and not as a nondeterminism in production. The flag's
number is written into every history (`langUsedFlags`), so it may never change meaning; that
the workers really write it is checked on the dev server (tests/test_cold_start.py) and in the
recorded histories (tests/test_replay.py)."""

from __future__ import annotations

import inspect

import temporalio
from temporalio.worker import Replayer, Worker
from temporalio.worker import _workflow_instance as instance

from tests.conftest import CONVERTER
from worker import SINGLE_BATCH, build_replayer


def test_the_single_batch_flag_is_the_sdks_flag_2() -> None:
    assert (
        SINGLE_BATCH is instance._WorkflowLogicFlag.PROCESS_WORKFLOW_ACTIVATION_JOBS_AS_SINGLE_BATCH
    )
    assert int(SINGLE_BATCH) == 2


def test_workers_and_replayers_still_take_default_logic_flags() -> None:
    for target in (Worker, Replayer):
        setter = target._set_default_workflow_logic_flag
        assert list(inspect.signature(setter).parameters) == ["self", "flag", "enabled"]
    assert SINGLE_BATCH in build_replayer(CONVERTER)._default_workflow_logic_flags


def test_activations_still_have_both_modes() -> None:
    """The SDK still reads the flag when it applies an activation: with it, every job before
    the workflow runs; without it (histories written before), the legacy order."""
    source = inspect.getsource(instance._WorkflowInstanceImpl.activate)
    assert "PROCESS_WORKFLOW_ACTIVATION_JOBS_AS_SINGLE_BATCH" in source
    assert temporalio.__version__.startswith("1.35."), (
        "a new temporalio: check whether single batch became its default (then worker.py's "
        "`single_batch` can go) and that the flag still means what it meant"
    )
