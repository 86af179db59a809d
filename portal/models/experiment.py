"""Experiments on letter and page wordings: pre-registered, randomised, frozen at launch.

An experiment belongs to one collectivité and pools one or more of its campaigns. Its units
are letters: a letter experiment assigns each letter of its campaigns an arm when the letters
are generated (before printing, `Letter.variant` is then the arm's wording); a page experiment
assigns a letter an arm the first time its owner sees the page (sticky, exposure logged once).
See portal.experiments for the methods (assignment, exposure, analysis).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, Timestamped, utcnow
from portal.models.campaign import Campaign

EXPERIMENT_KINDS = ("letter", "page")
EXPERIMENT_PAGES = ("landing", "results")  # the owner pages a page experiment may vary
EXPERIMENT_STATUSES = ("draft", "running", "stopped")

experiment_campaign = Table(
    "experiment_campaign",
    Base.metadata,
    Column("experiment_id", ForeignKey("experiment.id"), primary_key=True),
    Column("campaign_id", ForeignKey("campaign.id"), primary_key=True, index=True),
)


class Experiment(Timestamped, Base):
    """The registry entry. While a draft it can be edited; `launch` freezes it: the
    pre-registration is copied to `registration` with the SHA-256 of its canonical JSON,
    and nothing that defines the trial changes after that (a change is a new experiment)."""

    __tablename__ = "experiment"
    __table_args__ = (
        CheckConstraint("kind IN ('letter', 'page')", name="kind"),
        CheckConstraint("status IN ('draft', 'running', 'stopped')", name="status"),
        CheckConstraint("page IS NULL OR page IN ('landing', 'results')", name="page"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="letter")
    page: Mapped[str | None] = mapped_column(String(20))  # page experiments only
    title: Mapped[str] = mapped_column(String(200))
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    # [{"variant": slug of a wording in guidance_content/, "weight": int > 0}, ...];
    # the first arm is the control.
    arms: Mapped[list] = mapped_column(default=list)
    primary_metric: Mapped[str | None] = mapped_column(String(30))  # portal.experiments.metrics
    secondary_metrics: Mapped[list] = mapped_column(default=list)
    guardrail_metrics: Mapped[list] = mapped_column(default=list)
    alpha: Mapped[float] = mapped_column(default=0.05)
    power: Mapped[float] = mapped_column(default=0.8)
    baseline_rate: Mapped[float | None]  # the expected control rate, for the power calculator
    planned_sample: Mapped[int | None]  # letters, all arms together
    analysis_date: Mapped[date | None]  # results stay hidden before it (health checks only)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    salt: Mapped[str] = mapped_column(String(32))  # random, set at creation
    registration: Mapped[dict | None]  # the pre-registration as launched
    registration_hash: Mapped[str | None] = mapped_column(String(64))
    launched_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))

    campaigns: Mapped[list[Campaign]] = relationship(secondary=experiment_campaign,
                                                     order_by=Campaign.id)  # fmt: skip


class ExperimentUnit(Base):
    """One letter in one experiment: its arm and stratum, written before the letter is
    printed (letter experiments) or when its owner first sees the page (page experiments,
    `exposed_at`). Never changed afterwards."""

    __tablename__ = "experiment_unit"
    __table_args__ = (Index("ix_experiment_unit_letter", "letter_id"),)

    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiment.id"), primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), primary_key=True)
    arm: Mapped[str] = mapped_column(String(40))
    stratum: Mapped[str] = mapped_column(String(120))  # "campaign <id> × <owner kind>"
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    exposed_at: Mapped[datetime | None]
