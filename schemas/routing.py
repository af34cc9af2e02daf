"""Which team a case nobody received goes to (seed 000's 推送至对应处理人), as data.

A complaint that arrives with no receiving agent (e-mail, a web form, an API caller that names
none) is owned by a team until an agent takes it (R-IN-5). Rules are tried in order and the first
whose every given condition matches wins; `default_team` takes the rest. At receipt only the
channel is known, so the first team is the channel's; once classified, a case nobody has taken yet
moves to the team its category (and severity) names (docs/desk-guide.md, "Team queues").
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from schemas.classification import Category, Severity
from schemas.intake import Channel

TeamId = Annotated[str, StringConstraints(pattern=r"^team-[a-z0-9][a-z0-9-]{0,58}$")]
"""A team's id, `team-` and lower-case letters, digits, dashes: never mistaken for an agent's."""


class RoutingRule(BaseModel):
    """Conditions left out match anything; a rule with none would hide every rule after it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: list[Category] | None = None
    channel: list[Channel] | None = None
    severity: list[Severity] | None = None
    team: TeamId

    @model_validator(mode="after")
    def _some_condition(self) -> Self:
        if self.category is None and self.channel is None and self.severity is None:
            raise ValueError("a rule needs a category, channel or severity (use default_team)")
        return self

    def matches(
        self, category: Category | None, channel: Channel, severity: Severity | None
    ) -> bool:
        # An unknown fact (no category yet) never satisfies a condition on it.
        return (
            (self.category is None or category in self.category)
            and (self.channel is None or channel in self.channel)
            and (self.severity is None or severity in self.severity)
        )


class RoutingPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=64)
    rules: list[RoutingRule] = Field(default_factory=list, max_length=200)
    default_team: TeamId

    def team_for(
        self,
        channel: Channel,
        category: Category | None = None,
        severity: Severity | None = None,
    ) -> tuple[str, str]:
        """The team, and why (rule number and its conditions, or the default)."""
        for number, rule in enumerate(self.rules, start=1):
            if rule.matches(category, channel, severity):
                return rule.team, f"routing rule {number} ({_conditions(rule)})"
        return self.default_team, "the default team"


def _conditions(rule: RoutingRule) -> str:
    parts = [
        f"{name} {'/'.join(v.value for v in values)}"
        for name, values in (
            ("category", rule.category),
            ("channel", rule.channel),
            ("severity", rule.severity),
        )
        if values is not None
    ]
    return ", ".join(parts)
