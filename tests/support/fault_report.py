"""What the fault scenarios (test_faults.py, test_delivery.py) saw: each appends a line, and
the run prints them at its end (conftest's terminal summary)."""

from __future__ import annotations

FAULT_REPORT: list[str] = []
