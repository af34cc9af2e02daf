"""The ladder's yardstick is honest: the shape twin's driver makes the client calls a real bench
lifecycle's driver makes, in its order, and the twin's history has the lifecycle's shape. One
lifecycle and one twin read from it, on the system the ladder runs (embedded PostgreSQL, the
dev server, the bench worker)."""

from __future__ import annotations

import uuid

import pytest

from bench.calls import REFUSED, counting, in_turn
from bench.ladder import drive_twin
from bench.lifecycle import BENCH_POLICY, full_lifecycle, shape, twin_plan
from bench.system import running
from desk.service import ComplaintDesk
from workflows.complaint import workflow_id_for

pytestmark = pytest.mark.devserver


async def test_the_twins_driver_makes_the_lifecycles_calls_and_the_twin_has_its_shape() -> None:
    async with running(BENCH_POLICY) as system:
        client, service = counting(system.client)
        desk = ComplaintDesk(client)
        await full_lifecycle(desk, f"C-warm-{uuid.uuid4().hex[:6]}")  # as the ladder warms up
        case = f"C-calls-{uuid.uuid4().hex[:6]}"
        service.sequence.clear()
        await full_lifecycle(desk, case)
        lifecycle = list(service.sequence)
        plan = await twin_plan(system.client, case, store=False)
        twin_id = f"C-twin-{uuid.uuid4().hex[:6]}"
        service.sequence.clear()
        await drive_twin(client, plan, case, twin_id)
        twin = list(service.sequence)

        # The same calls in the same order; only how often a wait polls may differ (the
        # survey's, and an update refused before the case could take it).
        assert in_turn(twin) == in_turn(lifecycle)
        for kind in ("starts", "updates", "signals", "describes"):
            assert twin.count(kind) == lifecycle.count(kind), kind
        assert twin.count("queries") >= 1 and twin.count("other") == 0
        # A refused update is only ever the one the case's rules refuse early (the plan,
        # before the classification has ended).
        refused_before = [
            sum(1 for kind in twin[:at] if kind == "updates")
            for at, kind in enumerate(twin)
            if kind == REFUSED
        ]
        updates = [n for n, kind in enumerate(plan.actions) if kind == "update"]
        assert all(plan.needs[updates[done]] for done in refused_before)

        lifecycle_shape = await shape(system.client, workflow_id_for(case))
        twin_shape = await shape(system.client, twin_id)
        tasks = "workflow tasks"
        # How completions fall into tasks is the server's timing: a lifecycle had 21-25 of
        # them, the twin (its no-op activities end together more often) 17-21.
        assert abs(twin_shape.pop(tasks) - lifecycle_shape.pop(tasks)) <= 0.2 * 25
        assert twin_shape == lifecycle_shape
