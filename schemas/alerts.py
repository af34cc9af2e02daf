"""Alerts across complaints (R-RP-2): a product or category suddenly drawing complaints, many
on one product in a few hours, sensitive words. Each is recorded and notified once."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class AlertKind(StrEnum):
    SPIKE = "spike"  # more than usual vs the previous comparable window
    CONCENTRATION = "concentration"  # many on one product in a short window
    KEYWORD = "keyword"  # a sensitive word (media, lawyer, poisoning…)


class AlertPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    spike_window: timedelta = timedelta(hours=24)
    spike_increase_percent: int = Field(default=30, gt=0)
    spike_at_least: int = Field(default=10, ge=1, description="No spike below this many")
    concentration_window: timedelta = timedelta(hours=3)
    concentration_above: int = Field(default=50, ge=1)
    keyword_window: timedelta = timedelta(hours=1)
    keywords: list[str] = Field(
        default_factory=lambda: [
            "曝光",
            "媒体",
            "记者",
            "律师",
            "起诉",
            "消协",
            "12315",
            "食物中毒",
            "media",
            "lawyer",
            "sue",
        ]
    )


class Alert(BaseModel):
    key: str = Field(description="kind/subject/window end: a retried sweep records it once")
    kind: AlertKind
    subject: str = Field(description="The product, category or keyword")
    window_start: datetime
    window_end: datetime
    count: int
    previous: int | None = Field(default=None, description="Spikes: the window before")
    complaint_ids: list[str] = Field(default_factory=list, description="Open cases affected")

    def facts(self) -> dict[str, str]:
        """The alert for a supervisor to read (`notice.alert_<kind>`, catalogue/): what it is
        on (a product, a category or a word), how many complaints, in how many hours."""
        hours = (self.window_end - self.window_start).total_seconds() / 3600
        counted = {"count": str(self.count), "hours": f"{hours:g}"}
        if self.previous is not None:
            counted["previous"] = str(self.previous)
        about, _, name = self.subject.partition(" ")
        if self.kind is AlertKind.KEYWORD:
            return {**counted, "keyword": self.subject}
        if about == "category":
            return {**counted, "variant": "category", "category": name}
        return {**counted, "product": name}

    def text(self) -> str:
        hours = (self.window_end - self.window_start).total_seconds() / 3600
        before = f" (previous window {self.previous})" if self.previous is not None else ""
        return (
            f"{self.kind.value} alert: {self.count} complaints on {self.subject} in "
            f"{hours:g} h{before}"
        )
