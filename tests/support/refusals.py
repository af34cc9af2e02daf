"""`with refused(code, **params):` the rule inside refuses with exactly that code and those
parameters (what every door renders in its reader's language)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from schemas.refusals import InvalidAction, Refusal, RefusalCode


@contextmanager
def refused(code: RefusalCode, **params: str | int) -> Iterator[None]:
    with pytest.raises(InvalidAction) as caught:
        yield
    assert caught.value.refusal == Refusal(code, params)
