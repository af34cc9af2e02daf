"""The workspace's pure parts: progress links, forms from the action table, languages, accounts."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from catalogue import has, messages
from configuration.settings import Settings
from desk import links
from schemas.actions import ResolutionPlan
from schemas.case_actions import ACTIONS, BY_NAME, Delivery, Role
from schemas.refusals import Refusal, RefusalCode
from web import forms, i18n, users

SECRET = b"unit-secret"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_a_link_opens_its_case_until_it_expires_and_not_after() -> None:
    path = links.progress_link("C-1001", NOW + timedelta(days=1), SECRET)
    token = path.removeprefix(links.PREFIX)
    assert links.verify(token, SECRET, NOW).complaint_id == "C-1001"
    with pytest.raises(links.LinkRefused, match="expired"):
        links.verify(token, SECRET, NOW + timedelta(days=1, seconds=1))
    with pytest.raises(links.LinkRefused, match="signature"):
        links.verify(token, b"other", NOW)
    _, expiry, mac = token.split(".")
    with pytest.raises(links.LinkRefused, match="signature"):
        links.verify(f"{links._b64(b'C-1002')}.{expiry}.{mac}", SECRET, NOW)
    assert "C-1001" not in path  # an id, encoded; and nothing else about anyone


def test_the_receipt_link_lasts_the_configured_days_and_its_secret_is_kept(tmp_path: Path) -> None:
    settings = Settings(complaint_desk_home=tmp_path, web_link_days=30)
    path = links.customer_link(settings, "C-1001", NOW)
    secret = (tmp_path / "web-secret").read_text().encode()
    assert (tmp_path / "web-secret").stat().st_mode & 0o077 == 0
    link = links.verify(path.removeprefix(links.PREFIX), secret, NOW)
    assert link.complaint_id == "C-1001" and link.expires_at == NOW + timedelta(days=30)
    assert links.customer_link(settings, "C-1001", NOW) == path  # the same secret next time


def test_forms_come_from_the_table_and_never_ask_who_acts() -> None:
    for action in ACTIONS:
        if action.delivery is Delivery.UPDATE:
            names = [f.name for f in forms.fields(action)]
            assert action.actor not in names, action.name
    plan = {f.name: f for f in forms.fields(BY_NAME["plan"])}
    assert plan["summary"].kind == "textarea" and plan["summary"].required
    assert plan["compensation_yuan"].kind == "number" and plan["next_update_by"].kind == "datetime"
    task = {f.name: f for f in forms.fields(BY_NAME["task-open"])}
    assert task["department"].kind == "select" and "legal" in task["department"].options
    assert task["blocking"].kind == "checkbox"
    agent = [a.name for a in forms.staff_actions(frozenset({Role.AGENT}))]
    assert "respond" in agent and "approve" not in agent and "reply" not in agent


def test_a_payload_takes_the_actor_from_the_session_and_names_bad_fields() -> None:
    made = forms.payload(
        BY_NAME["plan"],
        {
            "summary": "换新",
            "compensation_yuan": "20",
            "agent": "someone-else",
            "next_update_by": "2026-12-02T09:00",
        },
        actor="agent-zhang",
    )
    assert isinstance(made, ResolutionPlan) and made.agent == "agent-zhang"
    assert made.next_update_by == datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    with pytest.raises(ValidationError, match="summary"):
        forms.payload(BY_NAME["plan"], {"summary": ""}, actor="agent-zhang")


def test_language_from_cookie_then_browser_then_chinese() -> None:
    assert i18n.choose("en", "zh-CN") == "en"
    assert i18n.choose(None, "en-GB,en;q=0.9") == "en"
    assert i18n.choose(None, "fr, de") == "zh" == i18n.choose("xx", None)
    ended = Refusal(RefusalCode.CASE_ENDED, {"complaint_id": "C-1"})
    assert i18n.refusal(ended, "zh") == "案件 C-1 已结束"
    assert i18n.refusal(ended, "en") == "case C-1 has ended"
    assert i18n.translator("en")("queue") == "My queue"


def test_every_word_is_said_in_both_languages() -> None:
    pages = [k for k in messages("en") if k.startswith(("staff.", "customer.", "refusal."))]
    for key in pages:
        assert has(key, "zh") and messages("zh")[key] and messages("en")[key], key
    assert i18n.translator("zh")("queue") == "我的队列"
    assert i18n.translator("zh")("no-such-word") == "no-such-word"  # a gap shows, never crashes
    for action in ACTIONS:
        if action.delivery is Delivery.UPDATE:
            assert i18n.action_label(action.name, "zh") != action.name, action.name


def test_accounts_keep_hashes_not_passwords(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    users.add(
        path,
        users.StaffUser(username="agent-zhang", name="张伟", role=users.StaffRole.AGENT),
        "s3cret-pass",
    )
    assert "s3cret-pass" not in path.read_text() and "$argon2id$" in path.read_text()
    assert path.stat().st_mode & 0o077 == 0
    known = users.load(path)
    assert users.check_password(known, "agent-zhang", "s3cret-pass") is not None
    assert users.check_password(known, "agent-zhang", "wrong") is None
    assert users.check_password(known, "nobody", "s3cret-pass") is None


def test_user_add_takes_the_password_on_stdin(tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("complaint-desk")
    env = {"PATH": os.environ["PATH"], "COMPLAINT_DESK_HOME": str(tmp_path)}
    done = subprocess.run(
        [cli, "user-add", "sup-li", "--name", "李主管", "--role", "supervisor"],
        input="long-enough-1\n",
        text=True,
        capture_output=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    known = users.load(tmp_path / "users.json")
    assert known["sup-li"].role is users.StaffRole.SUPERVISOR
    assert users.check_password(known, "sup-li", "long-enough-1") is not None
    short = subprocess.run(
        [cli, "user-add", "x", "--name", "x", "--role", "agent"],
        input="short\n",
        text=True,
        capture_output=True,
        env=env,
    )
    assert short.returncode == 2 and "x" not in users.load(tmp_path / "users.json")
