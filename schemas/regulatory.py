"""Regulators' clocks: deadlines a regulator sets, running beside the desk's own (issue 28).

A regime (`policies/regulatory/*.json`: UK FCA DISP, EU PSD2 Art. 101, the two Chinese rules,
ASIC RG 271) names the clocks a complaint starts, counted in its own days (business, working
or calendar days, with its holidays), the letters that meet or extend them, and the reporting
buckets the regulator counts resolved complaints in. An SLA policy lists the regimes it adds
(`SlaPolicy.regulatory`); each applies to the cases its scope matches (jurisdiction, product
line, channel: data, like the routing rules). docs/regulatory-clocks.md explains them.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from schemas.calendar import BusinessCalendar
from schemas.intake import Channel, Jurisdiction, ProductLine, Strict
from schemas.text import Identifier, Text

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
"""A clock's, a letter's or a bucket's key: lower case, digits, underscores."""
RegimeKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]


LetterField = Literal["decision", "reason", "approved_by"]
"""What an agent writes into a regulator's letter: the decision, the reason for a delay, who
approved an extension (`RegulatoryLetter`)."""


class DayCount(StrEnum):
    """How a regulator counts days. Business and working days skip the regime calendar's
    weekends and holidays (working days also count its swapped weekend days, 调休); calendar
    days count every day."""

    BUSINESS_DAYS = "business_days"
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


class Period(BaseModel):
    """`days` counted days after the day of receipt, ending at the close of the last one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: int = Field(gt=0, le=400)
    count: DayCount


class Scope(BaseModel):
    """Which cases a regime applies to; a condition left out matches any case, and a fact the
    case does not state (no jurisdiction given) never satisfies a condition on it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    jurisdiction: frozenset[Jurisdiction] | None = None
    product_line: frozenset[ProductLine] | None = None
    channel: frozenset[Channel] | None = None

    def matches(self, jurisdiction: str | None, product_line: str | None, channel: Channel) -> bool:
        return (
            (self.jurisdiction is None or jurisdiction in self.jurisdiction)
            and (self.product_line is None or product_line in self.product_line)
            and (self.channel is None or channel in self.channel)
        )


class Extension(BaseModel):
    """Sending `letter` before the clock falls due moves its end to `to` from receipt (PSD2's
    holding reply: 15 → 35 business days)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    letter: Code
    to: Period


class RegulatoryClock(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Code
    within: Period
    by_product_line: dict[ProductLine, Period] = Field(
        default_factory=dict, description="Another period for a product line (ASIC: super, 45)"
    )
    met_by: tuple[Code, ...] = Field(min_length=1, description="Letters that meet the clock")
    extensions: tuple[Extension, ...] = Field(
        default=(), description="In order: each letter extends the clock one step further"
    )
    resolved_within: Period | None = Field(
        default=None,
        description="A result delivered within this period meets the clock with no letter "
        "(ASIC RG 271: closed within 5 business days, recorded)",
    )

    def period(self, product_line: str | None) -> Period:
        return self.by_product_line.get(product_line or "", self.within)


class RequiredLetter(BaseModel):
    """A letter the regime requires, a catalogue template (`regulatory.letter.<regime>.<key>`)
    prefilled from the case's facts; the agent fills `fields` (the reasons)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Code
    fields: tuple[LetterField, ...] = Field(default=(), description="What the agent writes in")
    only_within: Period | None = Field(
        default=None,
        description="May be sent only this soon after receipt (FCA: a summary resolution "
        "communication by the close of the third business day)",
    )
    declaration: Code | None = Field(
        default=None,
        description="What the sender confirms by sending it (the handler has no interest in "
        "the matter): recorded with the letter",
    )


class Bucket(BaseModel):
    """A reporting bucket: results delivered within `within` of receipt; the last bucket has
    none and takes the rest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Code
    within: Period | None = None


class RegulatoryRegime(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: RegimeKey
    name: str = Field(min_length=1, max_length=200)
    citation: str = Field(min_length=1, max_length=1000, description="Articles and the text")
    scope: Scope = Scope()
    calendar: BusinessCalendar = Field(description="The regulator's days and holidays")
    clocks: tuple[RegulatoryClock, ...] = Field(min_length=1)
    letters: tuple[RequiredLetter, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    records_kept_years: int | None = Field(default=None, gt=0, le=50)

    @model_validator(mode="after")
    def _letters_known(self) -> Self:
        known = {letter.key for letter in self.letters}
        named = {k for c in self.clocks for k in (*c.met_by, *(e.letter for e in c.extensions))}
        missing = sorted(named - known - {AUTOMATIC_ACKNOWLEDGEMENT})
        if missing:
            raise ValueError(f"regime {self.key}: letters not listed: {', '.join(missing)}")
        clocks = [c.key for c in self.clocks]
        if len(set(clocks)) != len(clocks):
            raise ValueError(f"regime {self.key}: a clock key twice")
        if self.buckets and self.buckets[-1].within is not None:
            raise ValueError(f"regime {self.key}: the last bucket takes the rest (no 'within')")
        if any(b.within is None for b in self.buckets[:-1]):
            raise ValueError(f"regime {self.key}: only the last bucket may have no 'within'")
        return self

    def letter(self, key: str) -> RequiredLetter | None:
        return next((x for x in self.letters if x.key == key), None)

    def clock(self, key: str) -> RegulatoryClock | None:
        return next((c for c in self.clocks if c.key == key), None)


AUTOMATIC_ACKNOWLEDGEMENT = "acknowledgement"
"""The letter the desk sends at once on receipt (R-IN-6) counts as a regime's acknowledgement."""


class RegulatoryDeadline(BaseModel):
    """One regulator's clock on one case: counted from receipt, never paused by the desk."""

    regime: RegimeKey
    clock: Code
    started_at: datetime
    due_at: datetime
    extended: int = Field(default=0, description="Extensions taken so far")
    met_at: datetime | None = None
    met_by: str | None = Field(default=None, description="The letter, or 'resolution'")
    breached_at: datetime | None = None
    warned_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.met_at is None and self.breached_at is None and self.withdrawn_at is None


MET_BY_RESOLUTION = "resolution"
LETTER_TOPIC = "regulatory_letter"
"""The notification topic of a regulator's letter; its words are `letter_key`'s template."""


def letter_key(regime: str, letter: str) -> str:
    """The catalogue template of a regime's letter: `regulatory.letter.<regime>.<letter>`."""
    return f"regulatory.letter.{regime}.{letter}"


class RegulatoryLetter(Strict):
    """An agent sends a regime's required letter: the template is the catalogue's, prefilled
    from the case; `fields` are what the agent writes in (the reasons), each the letter asks."""

    agent: Identifier
    regime: RegimeKey
    letter: Code
    decision: Text | None = Field(default=None, description="What was decided, and why")
    reason: Text | None = Field(default=None, description="Why the answer is not ready yet")
    approved_by: Identifier | None = Field(
        default=None, description="Who approved an extension that needs approval"
    )

    @property
    def fields(self) -> dict[str, str]:
        """What the agent wrote in, by its name in the letter's template."""
        given = {"decision": self.decision, "reason": self.reason, "approved_by": self.approved_by}
        return {name: value for name, value in given.items() if value and value.strip()}


def load_preset(name: str) -> dict[str, Any]:
    """A preset regime's JSON (`policies/regulatory/<name>.json`) as data, to validate."""
    from policies import packaged  # packaged data; read only when a policy file names a preset

    if not name.replace("-", "").isalnum():
        raise ValueError(f"no regulatory preset {name!r}")
    source = packaged("regulatory") / f"{name}.json"
    if not source.is_file():
        raise ValueError(f"no regulatory preset {name!r}")
    found: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return found


def presets() -> list[RegulatoryRegime]:
    """Every preset shipped (`policies/regulatory/`), validated, by name."""
    from policies import packaged

    names = sorted(p.name for p in packaged("regulatory").iterdir() if p.name.endswith(".json"))
    return [RegulatoryRegime.model_validate(load_preset(n.removesuffix(".json"))) for n in names]


def codes(regimes: list[RegulatoryRegime]) -> dict[str, set[str]]:
    """The codes the regimes' facts carry, by fact name (`regime`, `regulatory_clock`,
    `regulatory_letter`, `regulatory_bucket`): each needs its word in every catalogue."""
    return {
        "regime": {r.key for r in regimes},
        "regulatory_clock": {c.key for r in regimes for c in r.clocks},
        "regulatory_letter": {x.key for r in regimes for x in r.letters} | {MET_BY_RESOLUTION},
        "regulatory_bucket": {b.key for r in regimes for b in r.buckets},
    }


def resolve_presets(entries: object) -> object:
    """A policy's `regulatory` list as regimes: an entry may be a preset's name, or
    `{"preset": name, ...}` whose other fields (a scope, say) replace the preset's."""
    if not isinstance(entries, list | tuple):
        return entries
    resolved: list[object] = []
    for entry in entries:
        if isinstance(entry, str):
            resolved.append(load_preset(entry))
        elif isinstance(entry, dict) and "preset" in entry:
            given = {k: v for k, v in entry.items() if k != "preset"}
            resolved.append({**load_preset(str(entry["preset"])), **given})
        else:
            resolved.append(entry)
    return resolved
