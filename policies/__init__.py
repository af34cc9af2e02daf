"""The SLA and grading policy files shipped with the system, as package data: a worker installed
from a wheel finds them wherever it runs (`packaged("grading.json")`)."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def packaged(name: str) -> Traversable:
    """A policy file that comes with the package, e.g. `sla-seed-004.json`."""
    return files(__name__) / name
