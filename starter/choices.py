"""An enum's values as argparse `choices`, imported only when a value is checked or a command's
help lists them: `complaint-desk --help` then loads no models at all (docs/benchmarks.md)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any


class EnumValues:
    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name

    def _values(self) -> list[str]:
        enum = getattr(importlib.import_module(self._module), self._name)
        return [str(member.value) for member in enum]

    def __contains__(self, value: object) -> bool:
        return value in self._values()

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())

    def __len__(self) -> int:
        return len(self._values())


def enum_choices(module: str, name: str) -> dict[str, Any]:
    """`add_argument` keywords for an enum's values. The explicit metavar keeps argparse from
    listing the values when the argument is added; the help lists them when it is printed."""
    return {
        "choices": EnumValues(module, name),
        "metavar": name.upper(),
        "help": "one of %(choices)s",
    }
