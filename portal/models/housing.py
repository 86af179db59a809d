"""Dwellings, their owners and who owns what (ZLV's housing, owners, owners_housing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, Timestamped
from portal.models.collectivite import Collectivite


class Owner(Timestamped, Base):
    """A person or a company owning dwellings, as imported by one collectivité."""

    __tablename__ = "owner"

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(80), default="Particulier")  # ZLV owner kind
    # The postal address as the tax files give it, one line per item.
    address_lines: Mapped[list] = mapped_column(default=list)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    # "Ne pas contacter": never put in a campaign or a letter again.
    do_not_contact: Mapped[bool] = mapped_column(default=False)
    do_not_contact_at: Mapped[datetime | None]

    collectivite: Mapped[Collectivite] = relationship()
    housings: Mapped[list[HousingOwner]] = relationship(back_populates="owner")


class Housing(Timestamped, Base):
    """A dwelling followed by a collectivité, with its ZLV follow-up status."""

    __tablename__ = "housing"
    __table_args__ = (
        UniqueConstraint("collectivite_id", "local_id"),
        CheckConstraint(
            "energy_label IS NULL OR energy_label IN ('A','B','C','D','E','F','G')",
            name="energy_label",
        ),
        Index("ix_housing_collectivite_status", "collectivite_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"))
    local_id: Mapped[str] = mapped_column(String(12))  # identifiant fiscal national
    invariant: Mapped[str | None] = mapped_column(String(20))  # identifiant départemental
    address_lines: Mapped[list] = mapped_column(default=list)
    insee_code: Mapped[str] = mapped_column(String(5), index=True)
    kind: Mapped[str | None] = mapped_column(String(10))  # APPART | MAISON
    living_area: Mapped[int | None]  # m²
    rooms_count: Mapped[int | None]
    building_year: Mapped[int | None]
    vacancy_start_year: Mapped[int | None]
    energy_label: Mapped[str | None] = mapped_column(String(1))
    occupancy: Mapped[str] = mapped_column(String(10), default="V")
    occupancy_intended: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="never-contacted")
    sub_status: Mapped[str | None] = mapped_column(String(80))

    collectivite: Mapped[Collectivite] = relationship()
    owners: Mapped[list[HousingOwner]] = relationship(back_populates="housing")

    @property
    def address(self) -> str:
        return ", ".join(self.address_lines)


class HousingOwner(Base):
    """Who owns a dwelling; rank 1 is the principal owner, the one letters go to."""

    __tablename__ = "housing_owner"

    housing_id: Mapped[int] = mapped_column(ForeignKey("housing.id"), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), primary_key=True, index=True)
    # 1 principal, 2–6 secondary, 0 previous, -1 incorrect, -2 awaiting, -3 deceased.
    rank: Mapped[int] = mapped_column(default=1)
    property_right: Mapped[str | None] = mapped_column(String(40))

    housing: Mapped[Housing] = relationship(back_populates="owners")
    owner: Mapped[Owner] = relationship(back_populates="housings")
