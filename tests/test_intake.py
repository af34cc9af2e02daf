"""Bad intake is refused with a message that names the field; good intake keeps its text as is."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from schemas import ComplaintIntake, CustomerReply, Escalation, SurveyAnswer
from starter import json_schemas
from tests.support.desk import intake

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def refused(data: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as err:
        ComplaintIntake.model_validate(data)
    return {".".join(map(str, e["loc"])) for e in err.value.errors()}


def test_a_complete_intake_is_accepted_verbatim() -> None:
    text = "饮料里有异物😡 Robert'); DROP TABLE complaints;-- 混合 scripts"
    accepted = ComplaintIntake.model_validate(intake("C-1", NOW, description=text))
    assert accepted.description == text
    assert accepted.customer.contact is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"complaint_id": ""}, "complaint_id"),
        ({"complaint_id": "C 1/../x"}, "complaint_id"),
        ({"channel": "fax"}, "channel"),
        ({"subject": "two\nlines"}, "subject"),
        ({"description": "bell\x07"}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"received_at": "2026-11-23T09:00:00"}, "received_at"),  # no time zone
        ({"received_at": "yesterday"}, "received_at"),
        ({"evidence": [{"ref": f"s3://e/{i}"} for i in range(21)]}, "evidence"),
        ({"customer": {"name": "王", "contact": {"phone": "call me"}}}, "customer.contact.phone"),
        (
            {"customer": {"name": "王", "contact": {"email": "no-at-sign"}}},
            "customer.contact.email",
        ),
        ({"customer": {"name": "王"}}, "customer"),
        ({"customer": {"name": "王", "contact": {}}}, "customer.contact"),
        ({"urgent": True}, "urgent"),  # unknown field: a typo must not drop data
    ],
)
def test_bad_intake_names_the_field(change: dict[str, Any], field: str) -> None:
    assert field in refused({**intake("C-1", NOW), **change})


def test_missing_required_fields_are_all_named() -> None:
    # `receiver` is optional: without one the case waits in a team queue (tests/test_team_queue.py)
    assert {"complaint_id", "channel", "subject", "description", "customer"} <= refused({})


def test_anonymous_complaints_need_no_name_or_contact() -> None:
    data = {**intake("C-1", NOW), "customer": {"anonymous": True}}
    assert ComplaintIntake.model_validate(data).customer.anonymous


def test_an_event_cannot_happen_after_it_was_reported() -> None:
    data = {**intake("C-1", NOW), "occurred_at": "2026-11-24T09:00:00+08:00"}
    assert refused(data) == {""}  # a whole-record rule: pydantic reports it at the root


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (CustomerReply, {"text": ""}),
        (CustomerReply, {"text": "ok", "intent": "maybe"}),
        (SurveyAnswer, {"result": 6, "attitude": 3, "timeliness": 3}),
        (Escalation, {"by": "sup", "reason": "x", "severity": "L0"}),
    ],
)
def test_bad_signal_payloads_are_refused(model: type[Any], data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(data)


def test_committed_json_schemas_match_the_models(tmp_path: Path) -> None:
    """Backends in other languages read schemas/json/; it must never drift from the code."""
    for fresh in json_schemas.write(tmp_path):
        committed = json_schemas.DEFAULT_DIR / fresh.name
        assert committed.exists(), f"run `complaint-desk schemas`: {committed} is missing"
        assert json.loads(committed.read_text()) == json.loads(fresh.read_text()), (
            f"run `complaint-desk schemas`: {committed} is stale"
        )
