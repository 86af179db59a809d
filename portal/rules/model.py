"""The content, as objects: questions, aids, dated parameters, contacts, local overrides."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from portal.rules.conditions import Condition, VarSpec

LOCALES = ("fr", "en")
QUESTION_TYPES = {"radios": "choice", "checkboxes": "multi", "number": "number", "text": "text"}
AID_KINDS = ("subsidy", "tax_reduction", "guarantee", "service", "advice", "option", "cost")
CONFIDENCE = ("ok", "3p", "uncertain")

Text = dict[str, str]  # {"fr": …, "en": …}


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    hint: Text | None = None
    unknown: bool = False  # "Je ne sais pas": conditions on it stay undetermined
    exclusive: bool = False  # "Rien de particulier": ticked alone or not at all


@dataclass(frozen=True)
class Question:
    id: str
    type: str  # radios | checkboxes | number | text
    label: Text
    short_label: Text
    hint: Text | None
    options: tuple[Option, ...]
    messages: dict[str, Text]  # required, invalid, min, max…
    minimum: float | None
    maximum: float | None
    max_length: int
    ask_if: Condition | None
    path: str

    @property
    def values(self) -> frozenset:
        return frozenset(option.value for option in self.options)

    def option(self, value: str) -> Option | None:
        return next((option for option in self.options if option.value == value), None)

    @property
    def exclusive(self) -> str | None:
        """The value of the option ticked alone, if the question has one."""
        return next((option.value for option in self.options if option.exclusive), None)


@dataclass(frozen=True)
class Source:
    url: str
    title: str
    checked_on: dt.date
    confidence: str


@dataclass(frozen=True)
class Amount:
    formula: Any  # compiled, see formulas.py
    reads: frozenset[str]
    text: Text  # with {amount}
    fallback: Text  # shown when the formula cannot be computed yet


@dataclass(frozen=True)
class Boost:
    condition: Condition
    add: int


@dataclass(frozen=True)
class Aid:
    slug: str
    kind: str
    title: Text
    summary: Text
    for_whom: Text
    gives: Text
    eligible_if: Condition
    amount: Amount | None
    obligations: tuple[Text, ...]
    contacts: tuple[str, ...]
    sources: tuple[Source, ...]
    valid_from: dt.date | None
    valid_until: dt.date | None
    confidence: str
    rank: int
    boosts: tuple[Boost, ...]
    path: str
    local: bool = False
    # The aids that finance the same works by another route (one or the other, never both),
    # and those this one only comes with (portal/rules/relations.py).
    alternatives: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()

    def in_force(self, day: dt.date) -> bool:
        after_start = self.valid_from is None or day >= self.valid_from
        return after_start and (self.valid_until is None or day <= self.valid_until)

    @property
    def last_checked(self) -> dt.date | None:
        return max((source.checked_on for source in self.sources), default=None)


@dataclass(frozen=True)
class Parameter:
    """A value that changes over time, keyed by the date it takes effect."""

    name: str
    description: str
    unit: str
    dates: tuple[dt.date, ...]
    values: tuple[Any, ...]
    reference: str

    def at(self, day: dt.date):
        index = bisect.bisect_right(self.dates, day) - 1
        return self.values[index] if index >= 0 else None


@dataclass(frozen=True)
class Contact:
    id: str
    label: Text
    description: Text
    url: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Commune:
    insee_code: str
    name: str
    density_level: int
    zone_tendue: bool
    acv_or_ort: bool
    idf: bool


@dataclass
class Local:
    """A collectivité's own aids, contacts and OPAH/PIG perimeter (`local/<siren>.yaml`)."""

    siren: str
    name: str
    # None when not known (a collectivité with only back-office settings, no local file):
    # `in_opah_pig` then stays unknown rather than false.
    opah_pig_perimeter: frozenset[str] | None
    contacts: dict[str, Contact]
    aids: dict[str, Aid]
    path: str


@dataclass(frozen=True)
class Priority:
    """A question asked first, always or when its condition holds (manifest `priority`)."""

    question: str
    condition: Condition | None = None


@dataclass
class Content:
    version: str
    questions: dict[str, Question]  # in the manifest's order
    priority: tuple[Priority, ...]
    context: dict[str, VarSpec]
    aids: dict[str, Aid]
    parameters: dict[str, Parameter]
    contacts: dict[str, Contact]
    communes: dict[str, Commune]
    locals: dict[str, Local]
    examples: list[dict] = field(default_factory=list)
    wording: dict[str, Text] = field(default_factory=dict)
    root: str = ""

    def parameter(self, name: str, day: dt.date):
        return self.parameters[name].at(day)
