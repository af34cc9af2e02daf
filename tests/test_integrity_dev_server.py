"""The integrity tests at the case's door (tests/test_integrity.py, issue 13 items 3-6) again,
through the real dev server as `./dev up` runs it: an impostor workflow id, a start with no input
or two, dates outside the window, each kind of invalid signal, 64 random bytes marked as
ciphertext, free text typed as the product. Each is refused with the reason or recorded on the
case's timeline, no workflow task fails, no other case's rows are touched. The same senders with
the plain `temporal` CLI are in test_integrity_cli.py and test_plain_cli.py."""

from __future__ import annotations

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.test_integrity import (
    test_a_date_outside_the_window_fails_at_once_with_the_reason,
    test_a_signal_that_cannot_be_decrypted_is_recorded_and_the_case_goes_on,
    test_a_start_with_two_inputs_fails_at_once,
    test_a_start_without_input_fails_at_once,
    test_an_impostor_workflow_id_fails_at_once_and_touches_no_other_case,
    test_each_invalid_signal_leaves_an_entry_with_the_reason_and_no_value,
    test_free_text_typed_as_the_product_never_reaches_a_search_attribute,
)

# Collected here as well: the same tests, with `env` below.
__all__ = [
    "test_a_date_outside_the_window_fails_at_once_with_the_reason",
    "test_a_signal_that_cannot_be_decrypted_is_recorded_and_the_case_goes_on",
    "test_a_start_with_two_inputs_fails_at_once",
    "test_a_start_without_input_fails_at_once",
    "test_an_impostor_workflow_id_fails_at_once_and_touches_no_other_case",
    "test_each_invalid_signal_leaves_an_entry_with_the_reason_and_no_value",
    "test_free_text_typed_as_the_product_never_reaches_a_search_attribute",
]

pytestmark = pytest.mark.devserver


@pytest.fixture
def env(dev_env: WorkflowEnvironment) -> WorkflowEnvironment:
    return dev_env
