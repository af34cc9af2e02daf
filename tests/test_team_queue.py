"""Team queues (R-IN-5, seed 000's 推送至对应处理人): a case nobody received waits in the team the
routing rules name, the first agent who takes it owns it to the end, and an untaken case breaches
and escalates on its own deadlines like any other."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from activities.policy import load_routing
from desk.errors import Refused
from grading.engine import grade
from schemas import DEFAULT_POLICY, ComplaintIntake, EntryKind, EscalationLevel
from schemas.actions import Reassignment, TakeCase
from schemas.case_actions import action
from schemas.classification import Category, Severity
from schemas.intake import Channel
from schemas.notification import Audience
from schemas.refusals import Refusal, RefusalCode
from schemas.routing import RoutingPolicy
from tests.support.api import running_api
from tests.support.cases import RULES, T0
from tests.support.desk import Desk, intake
from tests.support.refusals import refused
from workflows import supervision, team_queue
from workflows.case_file import CaseFile
from workflows.team_queue import UNROUTED

ROUTING = load_routing()
L2_RESPOND = timedelta(hours=24)


def unreceived(channel: str = "email", **data: str) -> CaseFile:
    """A case nobody received, as the workflow has it at receipt (before the routing rules)."""
    given = ComplaintIntake.model_validate(
        intake("C-1", T0, receiver=None, channel=channel, **data)
    )
    return CaseFile.open(given, "complaint-C-1", T0)


def routed_and_classified(case: CaseFile) -> CaseFile:
    case.adopt_routing(ROUTING, T0)
    case.adopt_policy(DEFAULT_POLICY, T0)
    for notice in case.outbox:
        case.delivered(notice, T0)
    case.classified(grade(case.state.intake, RULES), T0)
    return case


def summaries(case: CaseFile, kind: EntryKind) -> list[str]:
    return [e.summary for e in case.state.timeline if e.kind is kind]


def test_the_channel_routes_at_receipt_and_the_category_once_classified() -> None:
    case = unreceived("email")
    assert (case.state.owner, case.state.team_owned) == (UNROUTED, True)
    case.adopt_routing(ROUTING, T0)
    assert case.state.owner == "team-email"
    case.adopt_policy(DEFAULT_POLICY, T0)
    case.classified(grade(case.state.intake, RULES), T0)  # 洗衣机漏水: product, L2
    assert case.state.classification is not None
    assert case.state.classification.category is Category.PRODUCT
    assert case.snapshot().owner == "team-after-sales" and case.snapshot().team_owned
    assert summaries(case, EntryKind.ROUTED) == [
        "in team-email's queue: routing rule 7 (channel email)",
        "in team-after-sales's queue from team-email: routing rule 4 (category product)",
    ]
    # The team is told of the new case, as an agent owner would be.
    new_case = next(n for n in case.outbox if n.topic == "new_case")
    assert new_case.recipient == "team-after-sales"


def test_the_first_matching_rule_wins_and_the_default_takes_the_rest() -> None:
    assert ROUTING.team_for(Channel.EMAIL, Category.PRODUCT, Severity.L1)[0] == "team-quality"
    assert ROUTING.team_for(Channel.EMAIL, Category.PRODUCT, Severity.L2)[0] == "team-after-sales"
    assert ROUTING.team_for(Channel.WEIBO)[0] == "team-public-channels"
    assert ROUTING.team_for(Channel.APP_FORM) == ("team-service", "the default team")
    # A retired category still routes (older classifications decode with it).
    assert ROUTING.team_for(Channel.HOTLINE, Category.DELIVERY)[0] == "team-logistics"


@pytest.mark.parametrize(
    ("rules", "error"),
    [
        ({"rules": [{"team": "team-a"}], "default_team": "team-a"}, "needs a category"),
        ({"rules": [], "default_team": "agent-zhang"}, "default_team"),
        ({"rules": [{"channel": ["fax"], "team": "team-a"}], "default_team": "team-a"}, "channel"),
        ({"rules": [], "default_team": "team-a", "extra": 1}, "extra"),
    ],
)
def test_a_bad_routing_file_is_refused_naming_the_problem(
    rules: dict[str, object], error: str
) -> None:
    with pytest.raises(ValidationError, match=error):
        RoutingPolicy.model_validate({"version": "v", **rules})


def test_the_first_agent_who_takes_it_owns_it_to_the_end() -> None:
    case = routed_and_classified(unreceived("email"))
    team_queue.check_take(case, TakeCase(by="agent-wang"), T0)
    team_queue.take(case, TakeCase(by="agent-wang"), T0 + timedelta(minutes=3))
    assert (case.state.owner, case.snapshot().team_owned) == ("agent-wang", False)
    assert summaries(case, EntryKind.TAKEN) == [
        "taken by agent-wang from team-after-sales: owns it to the end"
    ]
    assert case.state.timeline[-1].actor == "agent-wang"
    with refused(RefusalCode.NOT_TEAM_OWNED, owner="agent-wang"):
        team_queue.check_take(case, TakeCase(by="agent-li"), T0)
    # From now on owner messages go to the agent.
    case.fire_due(T0 + L2_RESPOND * 0.75)
    assert case.outbox[-1].topic == "deadline_warning"
    assert case.outbox[-1].recipient == "agent-wang"


def test_a_case_taken_before_its_rules_arrive_is_not_routed_away_from_its_agent() -> None:
    case = unreceived("email")
    team_queue.take(case, TakeCase(by="agent-wang"), T0)
    routed_and_classified(case)
    assert case.state.owner == "agent-wang"
    assert summaries(case, EntryKind.ROUTED) == []


def test_a_received_case_cannot_be_taken_and_is_never_routed() -> None:
    given = ComplaintIntake.model_validate(intake("C-1", T0))  # received by agent-zhang
    case = CaseFile.open(given, "complaint-C-1", T0)
    case.adopt_policy(DEFAULT_POLICY, T0)
    case.classified(grade(given, RULES), T0)
    assert case.state.owner == "agent-zhang"
    with refused(RefusalCode.NOT_TEAM_OWNED, owner="agent-zhang"):
        team_queue.check_take(case, TakeCase(by="agent-wang"), T0)


def test_a_supervisors_reassignment_ends_the_team_ownership() -> None:
    case = routed_and_classified(unreceived("email"))
    supervision.reassign(case, Reassignment(by="sup-li", to="agent-zhao", reason="熟悉此型号"), T0)
    assert not case.state.team_owned
    with refused(RefusalCode.NOT_TEAM_OWNED, owner="agent-zhao"):
        team_queue.check_take(case, TakeCase(by="agent-wang"), T0)


def test_an_ended_case_cannot_be_taken() -> None:
    case = routed_and_classified(unreceived("email"))
    case.state.stage = case.state.stage.DONE
    with refused(RefusalCode.CASE_ENDED, complaint_id="C-1"):
        team_queue.check_take(case, TakeCase(by="agent-wang"), T0)


def test_an_untaken_case_warns_its_team_breaches_and_escalates_like_any_other() -> None:
    case = routed_and_classified(unreceived("email"))
    case.fire_due(T0 + L2_RESPOND * 0.75)
    warning = case.outbox[-1]
    assert (warning.topic, warning.recipient) == ("deadline_warning", "team-after-sales")
    case.fire_due(T0 + L2_RESPOND)
    assert case.state.escalation_level is EscalationLevel.SUPERVISOR
    assert [n.topic for n in case.outbox if n.audience is Audience.SUPERVISOR][-1] == (
        "deadline_breached"
    )


def test_take_is_a_staff_action_of_the_table_acted_by_the_session() -> None:
    take = action("take")
    assert take.payload is TakeCase and take.actor == "by"
    assert {r.value for r in take.roles} == {"agent", "supervisor"}


# ---- through Temporal (time-skipping server) ------------------------------------------------


async def test_an_unreceived_case_waits_in_a_team_queue_until_an_agent_takes_it(desk: Desk) -> None:
    cid = await desk.open(receiver=None, channel="email")
    case = await desk.api.snapshot(cid)
    assert (case.owner, case.team_owned) == ("team-after-sales", True)
    taken = await desk.api.take(cid, {"by": "agent-wang"})
    assert (taken.owner, taken.team_owned) == ("agent-wang", False)
    with pytest.raises(Refused) as refused:
        await desk.api.act(cid, "take", {"by": "agent-li"})
    assert "agent-wang already owns it" in str(refused.value)
    # The refusal travels as its code, for every door to say in its reader's language.
    assert refused.value.refusal == Refusal(RefusalCode.NOT_TEAM_OWNED, {"owner": "agent-wang"})
    timeline = await desk.api.timeline(cid)
    assert [e.kind for e in timeline].count(EntryKind.ROUTED) == 2


async def test_a_case_nobody_takes_breaches_and_escalates_on_its_own_deadline(desk: Desk) -> None:
    cid = await desk.open(receiver=None, channel="email")  # L2: respond within 24 h
    await desk.skip(L2_RESPOND * 0.75 + timedelta(minutes=1))
    await desk.until_notified(cid, Audience.OWNER, "deadline_warning")
    await desk.skip(L2_RESPOND * 0.25)
    await desk.until_notified(cid, Audience.SUPERVISOR, "deadline_breached")
    case = await desk.until(cid, lambda s: s.escalation_level is EscalationLevel.SUPERVISOR)
    assert case.team_owned and case.owner == "team-after-sales"
    recipient = await desk.pool.fetchval(
        "SELECT recipient FROM notification_outbox WHERE complaint_id = $1 AND topic = $2",
        cid,
        "deadline_warning",
    )
    assert recipient == "team-after-sales"


async def test_an_api_intake_without_a_receiver_is_taken_by_the_agent_acting(desk: Desk) -> None:
    """A web form posts no receiver: the API invents none; the workspace's agent takes it."""
    body = intake("C-API-TEAM", await desk.now(), channel="app_form")
    del body["receiver"]
    async with running_api(desk.api) as api:
        started = await api.http.post("/v1/complaints", json=body, headers=api.auth("web-form"))
        assert started.status_code == 201, started.text
        case = await desk.until("C-API-TEAM", lambda s: s.stage.value == "investigate")
        assert case.team_owned and case.owner == "team-after-sales"
        as_wang = {**api.auth("workspace"), "X-Acting-For": "agent-wang"}
        taken = await api.http.post("/v1/complaints/C-API-TEAM/take", json={}, headers=as_wang)
        again = await api.http.post("/v1/complaints/C-API-TEAM/take", json={}, headers=as_wang)
    assert taken.status_code == 200, taken.text
    assert taken.json()["action"] == "take"  # the update's acknowledgement
    assert (await desk.api.snapshot("C-API-TEAM")).owner == "agent-wang"
    assert again.status_code == 409 and "agent-wang already owns it" in again.json()["error"]
