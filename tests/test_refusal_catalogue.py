"""Every refusal the rules raise reads well in every language of the catalogue: each code has
an entry, each entry names exactly the parameters its raise sites pass, the Chinese says it in
Chinese (codes such as `investigate` are shown through their own entries)."""

from __future__ import annotations

import ast
import re
import string
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import pytest

from catalogue import CODED, LANGUAGES, messages, render, shown
from schemas import regulatory
from schemas.actions import Department
from schemas.case import ClosedBy, Outcome, Stage
from schemas.classification import Category, RiskLevel, Severity
from schemas.evidence import NotKept
from schemas.intake import Channel
from schemas.refusals import Refusal, RefusalCode
from schemas.sla import DeadlineKind
from workflows.stages import Move

ROOT = Path(__file__).resolve().parent.parent
# Where refusals are raised: the rules, the desk (an id taken, a refusal it cannot read), and
# evidence (a file not kept, a canned reply that cannot be filled).
RAISING = (ROOT / "workflows", ROOT / "desk", ROOT / "evidence")
CODED_VALUES: dict[str, Iterable[StrEnum | str]] = {
    "stage": Stage,
    "move": Move,
    "risk": RiskLevel,
    "department": Department,
    "deadline": DeadlineKind,
    "severity": Severity,
    "category": Category,
    "outcome": Outcome,
    "closed_by": ClosedBy,
    "channel": Channel,
    "evidence_refusal": NotKept,
    # Regulators' regimes are data: their codes are the shipped presets' (policies/regulatory/).
    **regulatory.codes(regulatory.presets()),
}


def raise_sites() -> dict[RefusalCode, list[frozenset[str]]]:
    """The parameter names passed with each code, read from the rules' source: `refuse(code,
    name=...)` and `Refusal(code, {"name": ...})`."""
    found: dict[RefusalCode, list[frozenset[str]]] = defaultdict(list)
    for path in (p for folder in RAISING for p in folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            first = node.args[0]
            if not (
                isinstance(first, ast.Attribute)
                and isinstance(first.value, ast.Name)
                and first.value.id == "RefusalCode"
            ):
                continue
            code = RefusalCode[first.attr]
            if len(node.args) > 1 and isinstance(node.args[1], ast.Dict):
                keys = node.args[1].keys
                names = {k.value for k in keys if isinstance(k, ast.Constant)}
            else:
                names = {k.arg for k in node.keywords if k.arg}
            found[code].append(frozenset(str(n) for n in names))
    return found


def placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


SITES = raise_sites()


@pytest.mark.parametrize("code", list(RefusalCode))
def test_every_code_is_raised_with_one_set_of_parameters_every_language_names(
    code: RefusalCode,
) -> None:
    assert SITES.get(code), f"{code} is never raised in workflows/ or desk/"
    passed = set(SITES[code])
    assert len(passed) == 1, f"{code} is raised with different parameters: {passed}"
    for lang in LANGUAGES:
        template = messages(lang).get(f"refusal.{code.value}")
        assert template is not None, f"refusal.{code.value} missing in {lang}"
        assert placeholders(template) == next(iter(passed)), (lang, code)


def ascii_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]+", re.sub(r"\{[^}]*\}", "", text))


def test_the_chinese_catalogue_says_it_in_chinese() -> None:
    for key, text in messages("zh").items():
        if key.startswith(("refusal.", *(f"{name}." for name in CODED))):
            assert not ascii_words(text), (key, text)


@pytest.mark.parametrize("name", CODED)
def test_every_code_a_refusal_may_name_has_its_word_in_every_language(name: str) -> None:
    for value in CODED_VALUES[name]:
        for lang in LANGUAGES:
            code = value.value if isinstance(value, StrEnum) else value
            assert f"{name}.{code}" in messages(lang), (lang, name, value)


def test_a_stage_is_shown_in_the_readers_words() -> None:
    refusal = Refusal(RefusalCode.PROGRESS_OUTSIDE_TRACK, {"stage": "follow_up"})
    assert render("refusal.progress_outside_track", "zh", refusal.params).endswith(
        "案件目前处于“回访”阶段"
    )
    assert refusal.english().endswith("the case is at 'follow-up'")


def test_a_moment_money_and_codes_read_as_a_person_says_them() -> None:
    now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
    params = {
        "due_at": "2026-12-07T10:30:00+00:00",
        "compensation_yuan": "200",
        "to_stage": "track",
    }
    assert render("x", "zh", params) == "x"
    assert shown("due_at", params["due_at"], "zh", now=now) == "今天 18:30"
    assert shown("due_at", "2026-12-08T01:49:00+00:00", "zh") == "12月8日 09:49"
    assert shown("due_at", "2026-12-08T01:49:00+00:00", "en", now=now) == "Tomorrow 09:49"
    assert shown("due_at", "2027-01-08T01:49:00+00:00", "en", now=now) == "8 Jan 2027 09:49"
    assert shown("due_at", "2026-12-08T01:49:00+00:00", "en", "Europe/London") == "8 Dec 01:49"
    assert shown("compensation_yuan", "200", "zh") == "¥200.00"
    assert shown("compensation_yuan", "1200.5", "en") == "CNY 1,200.50"
    assert shown("to_stage", "track", "zh") == "执行中"
    assert shown("severity", "L1", "en") == "L1 (urgent)"
    assert shown("text", "track", "zh") == "track"  # a person's words are never translated
