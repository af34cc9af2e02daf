"""The `policy` action's dry run (pure): the change applied to a copy of the case, by the same
check and apply the update runs (`action_rules`: `supervision.check_change_policy`,
`change_policy`), and each
deadline's due time, owner warning and management escalation read before and after with the
functions the escalation chain schedules its timers by (`deadlines.warning_due`,
`management_due`). What the dry run says is therefore what the update will do."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel

from schemas.actions import PolicyChange
from schemas.case import Deadline
from schemas.case_actions import action
from schemas.policy_preview import DeadlineShift, PolicyPreview, SettingShift
from schemas.refusals import InvalidAction
from schemas.sla import SlaPolicy
from workflows import action_rules, deadlines
from workflows.case_record import CaseRecord

POLICY = action("policy")

# The settings a supervisor weighs when adopting a policy, by a dotted path into `SlaPolicy`
# (each has `policy_change.setting.<path>` in the catalogue). Deadlines themselves are shown
# case by case; these say what the policy does at the stages still ahead.
POLICY_SETTINGS = (
    "acknowledge",
    "triage",
    "targets.L1.respond",
    "targets.L1.resolve",
    "targets.L2.respond",
    "targets.L2.resolve",
    "targets.L3.respond",
    "targets.L3.resolve",
    "emergency.first_assessment",
    "emergency.temporary_remedy",
    "emergency.progress_every",
    "escalation.warn_at",
    "escalation.management_after",
    "agent_compensation_limit_yuan",
    "confirmation_wait",
    "close_on_behalf_after",
    "follow_up_after",
    "follow_up_until",
)


def preview(case: CaseRecord, change: PolicyChange, now: datetime) -> PolicyPreview:
    """What `change` would do to the case at `now`; the case itself is left as it is."""
    s = case.state
    before_policy = s.policy
    trial = CaseRecord(s.model_copy(deep=True))
    refusal = None
    try:
        action_rules.check(trial, POLICY, change, now)
        action_rules.apply(trial, POLICY, change, now)
    except InvalidAction as refused:
        refusal = refused.refusal.code.value
        trial = case
    return PolicyPreview(
        complaint_id=s.intake.complaint_id,
        stage=s.stage,
        from_version=before_policy.version if before_policy else None,
        to_version=change.policy.version,
        refusal=refusal,
        deadlines=[
            _shift(old, before_policy, new, trial.state.policy)
            for old, new in zip(s.deadlines, trial.state.deadlines, strict=True)
        ],
        settings=[] if refusal else settings_changed(before_policy, change.policy),
    )


def _shift(
    old: Deadline, old_policy: SlaPolicy | None, new: Deadline, new_policy: SlaPolicy | None
) -> DeadlineShift:
    return DeadlineShift(
        kind=old.kind,
        round=old.round,
        severity=old.severity,
        pending=old.pending,
        due_before=old.due_at,
        due_after=new.due_at,
        warn_before=deadlines.warning_due(old_policy, old) if old_policy else None,
        warn_after=deadlines.warning_due(new_policy, new) if new_policy else None,
        management_before=deadlines.management_due(old_policy, old) if old_policy else None,
        management_after=deadlines.management_due(new_policy, new) if new_policy else None,
    )


def settings_changed(before: SlaPolicy | None, after: SlaPolicy) -> list[SettingShift]:
    """The settings of `POLICY_SETTINGS` whose value differs, in that order."""
    return [
        SettingShift(setting=path, before=old, after=new)
        for path in POLICY_SETTINGS
        if (old := setting_text(before, path)) != (new := setting_text(after, path))
    ]


def setting_text(policy: SlaPolicy | None, path: str) -> str:
    """A setting's value as data (`-`: none): a duration in ISO 8601 (PT4H), an amount, a
    share; the page shows it in the reader's words."""
    value: object = policy
    for part in path.split("."):
        if value is None:
            break
        if isinstance(value, dict):
            value = next((v for k, v in value.items() if str(k) == part), None)
        elif isinstance(value, BaseModel):
            value = getattr(value, part, None)
    if value is None:
        return "-"
    if isinstance(value, timedelta):
        return _iso(value)
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return str(value)


def _iso(span: timedelta) -> str:
    days, rest = span.days, int(span.seconds)
    hours, minutes = divmod(rest // 60, 60)
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    text = "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0M"
