"""Re-opening, as it really happens (R-IN-5, R-CO re-open): a case whose stage is done has ended,
even while its run still holds a message for the end of quiet hours, so a re-open starts the
linked `-R1`; and the `-R1` goes to the agent who owned the ended case, not back to a team's
queue. Every channel says what happened: the Python API, the CLI, the HTTP API, e-mail in.

The quiet hours here are built around the test server's own "now", so the run is held open
whatever the wall clock says."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from case_store.db import Pool
from delivery.email_in import MailIn, read
from delivery.letters import token
from schemas import DEFAULT_POLICY, Outcome, SlaPolicy, Stage
from schemas.calendar import QuietHours
from tests.support.api import running_api
from tests.support.cli import cli_against
from tests.support.desk import Desk, running_desk
from tests.support.gateways import SECRET, email_customer
from tests.support.mail import mail

SHANGHAI = ZoneInfo("Asia/Shanghai")
CUSTOMER = "li.hua@example.com"


async def _desk(
    env: WorkflowEnvironment, pool: Pool, policy: SlaPolicy, name: str
) -> AsyncIterator[Desk]:
    async with running_desk(env.client, env, pool, policy, name) as desk:
        yield desk


@pytest.fixture
async def quiet_now(
    env: WorkflowEnvironment, pool: Pool, request: pytest.FixtureRequest
) -> AsyncIterator[Desk]:
    """Quiet hours from an hour before the test server's now to two hours after it."""
    now = (await env.get_current_time()).astimezone(SHANGHAI)
    quiet = QuietHours(
        time_zone="Asia/Shanghai",
        begins=(now - timedelta(hours=1)).time(),
        ends=(now + timedelta(hours=2)).time(),
    )
    policy = DEFAULT_POLICY.model_copy(update={"quiet_hours": quiet, "version": "quiet-now"})
    async for desk in _desk(env, pool, policy, request.node.name):
        yield desk


@pytest.fixture
async def never_quiet(
    env: WorkflowEnvironment, pool: Pool, request: pytest.FixtureRequest
) -> AsyncIterator[Desk]:
    policy = DEFAULT_POLICY.model_copy(update={"quiet_hours": None, "version": "never-quiet"})
    async for desk in _desk(env, pool, policy, request.node.name):
        yield desk


async def merged_away(desk: Desk, **intake: object) -> str:
    """A case that has ended (merged into another): its id."""
    survivor = await desk.open()
    cid = await desk.open(**intake)
    await desk.api.merge(cid, {"into": survivor, "by": "sup-li", "reason": "同一台洗衣机"})
    await desk.until(cid, lambda s: s.stage is Stage.DONE)
    return cid


async def done_but_running(desk: Desk) -> str:
    """A case whose stage is done while its run waits to send the customer the news of the
    merge at the end of quiet hours."""
    cid = await merged_away(desk, customer=email_customer(CUSTOMER))
    case = await desk.api.snapshot(cid)
    assert case.stage is Stage.DONE and case.outcome is Outcome.MERGED
    assert await desk.api.status(cid) is WorkflowExecutionStatus.RUNNING
    return cid


async def test_a_done_case_still_running_is_reopened_as_a_linked_case(quiet_now: Desk) -> None:
    """Before: the desk looked at the run's status (RUNNING), signalled the ended case, which
    refused the request and kept it as a message: at night nobody could re-open a case that
    had just ended."""
    desk = quiet_now
    cid = await done_but_running(desk)
    assert await desk.api.ended(cid) is True
    started = await desk.api.reopen(cid, {"reason": "又漏水了"})
    assert (started.complaint_id, started.created) == (f"{cid}-R1", True)
    desk.opened.append(started.complaint_id)
    linked = await desk.until(started.complaint_id, lambda s: s.stage is Stage.INVESTIGATE)
    assert linked.linked_to == cid and linked.owner == "agent-zhang"
    assert started.owner == "agent-zhang"
    # The ended case heard nothing of it, and still only waits to send its held message.
    assert (await desk.api.snapshot(cid)).reopen_count == 0
    assert await desk.api.status(cid) is WorkflowExecutionStatus.RUNNING
    # Asked again, the request goes to the open re-open.
    again = await desk.api.reopen(cid, {"reason": "还在漏"})
    assert (again.complaint_id, again.created) == (f"{cid}-R1", False)


async def test_the_cli_the_api_and_e_mail_in_say_what_happened_to_a_done_case(
    quiet_now: Desk, tmp_path: Path
) -> None:
    desk = quiet_now
    by_cli, by_cli_reply, by_api, by_mail = [await done_but_running(desk) for _ in range(4)]

    # A customer's message to it is never lost: it opens a linked case, at every door (before:
    # the API and the CLI refused it, e-mail in re-opened, the customer's page signalled it).
    code, out, err = await cli_against(desk, tmp_path, "reply", by_cli_reply, "在吗")
    assert code == 0, err
    assert out.strip() == (
        f"{by_cli_reply} had ended: re-opened as {by_cli_reply}-R1, linked to it "
        "(owned by agent-zhang)"
    )

    code, out, err = await cli_against(desk, tmp_path, "reopen", by_cli, "又坏了")
    assert code == 0, err
    assert out.strip() == (
        f"{by_cli} had ended: re-opened as {by_cli}-R1, linked to it (owned by agent-zhang)"
    )

    async with running_api(desk.api) as api:
        customer = api.auth("store-desk")
        reply = await api.http.post(
            f"/v1/complaints/{by_api}/reply", json={"text": "在吗"}, headers=customer
        )
        reopened = await api.http.post(
            f"/v1/complaints/{by_api}/reopen", json={"reason": "又坏了"}, headers=customer
        )
    assert reply.status_code == 201, reply.text
    assert reply.json() == {
        "complaint_id": f"{by_api}-R1",
        "workflow_id": f"complaint-{by_api}-R1",
        "created": True,
        "owner": "agent-zhang",
    }
    assert reopened.status_code == 202, reopened.text  # to the open follow-up case
    assert reopened.json()["complaint_id"] == f"{by_api}-R1"

    answer = mail(
        CUSTOMER,
        "Re: 已合并",
        "又漏水了。",
        to=f"care+case+{by_mail}={token(SECRET, by_mail, CUSTOMER)}@desk.test",
    )
    taken = await MailIn(desk.api, SECRET).take(read(answer.as_bytes(), []))
    assert (taken.action, taken.complaint_id) == ("reopened", f"{by_mail}-R1")
    desk.opened += [f"{by_api}-R1", f"{by_mail}-R1"]
    for cid in (by_api, by_mail):
        linked = await desk.api.snapshot(f"{cid}-R1")
        assert linked.linked_to == cid and linked.owner == "agent-zhang"
    # The CLI's new cases went to the task queue of `complaint-desk up`: no worker here reads it.
    for cid in (by_cli, by_cli_reply):
        assert await desk.api.status(f"{cid}-R1") is WorkflowExecutionStatus.RUNNING


async def test_a_reopened_team_case_goes_to_the_agent_who_took_it(never_quiet: Desk) -> None:
    """R-IN-5: the agent who took a case from a team's queue owns it to the end, and later
    contacts go to them. Before: the `-R1` was started from the first intake (no receiver) and
    waited in a team's queue again."""
    desk = never_quiet
    survivor = await desk.open()
    taken, untaken = [
        await desk.open(
            receiver=None, channel="email", complaint_id=f"C-T{n}-{uuid.uuid4().hex[:6]}"
        )
        for n in range(2)
    ]
    await desk.api.act(taken, "take", {"by": "agent-wang"})
    for cid in (taken, untaken):
        await desk.api.merge(cid, {"into": survivor, "by": "sup-li", "reason": "同一台洗衣机"})
        assert (await desk.api.outcome(cid)).outcome is Outcome.MERGED  # its run has closed

    again = await desk.api.reopen(taken, {"reason": "又漏水了"})
    desk.opened.append(again.complaint_id)
    assert (again.complaint_id, again.created, again.owner) == (f"{taken}-R1", True, "agent-wang")
    linked = await desk.until(again.complaint_id, lambda s: s.stage is Stage.INVESTIGATE)
    assert (linked.owner, linked.team_owned) == ("agent-wang", False)

    # Nobody took the other: its re-open waits in a team's queue, as it did.
    queued = await desk.api.reopen(untaken, {"reason": "又漏水了"})
    desk.opened.append(queued.complaint_id)
    assert queued.created and queued.owner is None
    waiting = await desk.until(queued.complaint_id, lambda s: s.stage is Stage.INVESTIGATE)
    assert waiting.team_owned and waiting.owner.startswith("team-")
