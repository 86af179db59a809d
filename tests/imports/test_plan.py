"""portal.imports.plan (decisions row by row, chunk by chunk) and portal.imports.run (the
preview and the import, all or nothing)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.imports.messages import describe
from portal.imports.plan import Planner
from portal.imports.read import open_table
from portal.imports.run import apply
from portal.models import Housing, HousingOwner, Owner
from tests.builders import make_collectivite
from tests.imports.files import zlv_export, zlv_row


@pytest.fixture(autouse=True)
def english(app):
    """Reasons worded in English, as the command line shows them."""
    with app.app_context(), force_locale("en"):
        yield


@dataclass
class Plan:
    decisions: list

    def count(self, action):
        return sum(1 for d in self.decisions if d.action == action)


def texts(decision) -> list[str]:
    return [describe(reason) for reason in decision.reasons]


def run(session, collectivite, path, confirm=True, chunk_size=2):
    """The decisions for the file (in chunks of `chunk_size`: chunks meet in small files
    too), then, with `confirm`, the import."""
    planner = Planner(session, collectivite.id, collectivite.perimeter)
    rows = list(open_table(path).rows)
    decisions = [d for i in range(0, len(rows), chunk_size)
                 for d in planner.decide(rows[i:i + chunk_size])]  # fmt: skip
    if confirm:
        apply(session, collectivite, path)
        session.commit()
    return Plan(decisions)


def test_real_format_zlv_export_is_imported(session, tmp_path):
    collectivite = make_collectivite(session)
    path = zlv_export(tmp_path / "e.xlsx", [zlv_row(), zlv_row("581940000002")])
    plan = run(session, collectivite, path)
    assert (plan.count("create"), plan.count("update"), plan.count("refuse")) == (2, 0, 0)
    housing = session.scalar(select(Housing).where(Housing.local_id == "581940000001"))
    assert housing.insee_code == "58194"
    assert housing.kind == "MAISON"
    assert housing.energy_label == "F"
    assert (housing.living_area, housing.rooms_count) == (84, 4)
    assert (housing.building_year, housing.vacancy_start_year) == (1932, 2019)
    assert housing.address_lines == ["12 RUE DES TILLEULS", "58000 NEVERS"]
    owner = housing.owners[0].owner
    assert housing.owners[0].rank == 1
    assert owner.full_name == "DUPONT JEANNE"
    assert owner.address_lines == ["3 AV DE LA GARE", "44000 NANTES"]
    # Same owner, same address: one Owner for both housings.
    assert session.scalar(select(func.count()).select_from(Owner)) == 1


def test_preview_refuses_rows_and_says_why(session, tmp_path):
    collectivite = make_collectivite(session)
    rows = [
        zlv_row(),
        zlv_row(**{"Identifiant fiscal national": None}),
        zlv_row("581940000003", **{"Code INSEE commune du logement": "5819"}),
        zlv_row("581940000004", **{"Code INSEE commune du logement": "ABCDE"}),
        zlv_row("581940000005", **{"Code INSEE commune du logement": "75056"}),
        zlv_row(),
        zlv_row("581940000007", **{"Surface (m²)": "=B2*2"}),
        zlv_row("581940000008", **{"Surface (m²)": "grand"}),
        zlv_row("581940000009", **{"Année de début de vacance": "depuis longtemps"}),
        zlv_row("581940000010", **{"Année de début de vacance": "01/03/2017",
                                   "Surface (m²)": "45,5"}),
        zlv_row("581940000011", **{"DPE représentatif": "H", "Type de logement": "Péniche"}),
        zlv_row("581940000012", **{"Propriétaire destinataire principal": ""}),
    ]  # fmt: skip
    plan = run(session, collectivite, zlv_export(tmp_path / "e.xlsx", rows), confirm=False)
    by_row = {d.row: d for d in plan.decisions}
    assert by_row[2].action == "create"
    assert texts(by_row[3]) == ["missing local id"]
    assert "invalid INSEE code “5819”" in texts(by_row[4])[0]
    assert "invalid INSEE code “ABCDE”" in texts(by_row[5])[0]
    assert texts(by_row[6]) == ["INSEE code 75056 is outside the collectivité’s perimeter"]
    assert texts(by_row[7]) == ["same housing as row 2"]
    assert texts(by_row[8])[0].startswith("formula in surface")
    assert "unreadable surface: “grand”" in texts(by_row[9])[0]
    assert "unreadable vacancy start year" in texts(by_row[10])[0]
    assert by_row[11].action == "create"
    assert (by_row[11].housing["vacancy_start_year"], by_row[11].housing["living_area"]) == (
        2017, 46)  # fmt: skip
    assert len(by_row[12].reasons) == 2
    assert texts(by_row[13]) == ["missing owner name"]
    assert (plan.count("create"), plan.count("refuse")) == (2, 10)
    # Nothing written by a preview.
    assert session.scalar(select(func.count()).select_from(Housing)) == 0


def test_reimport_updates_instead_of_duplicating(session, tmp_path):
    collectivite = make_collectivite(session)
    path = zlv_export(tmp_path / "e.xlsx", [zlv_row()])
    run(session, collectivite, path)
    again = run(session, collectivite, path)
    assert (again.count("create"), again.count("update"), again.count("unchanged")) == (0, 0, 1)
    assert again.decisions[0].changes == []
    changed = zlv_export(tmp_path / "f.xlsx", [zlv_row(**{"DPE représentatif": "C"})])
    third = run(session, collectivite, changed)
    assert third.decisions[0].changes == ["energy_label"]
    assert third.decisions[0].action == "update"
    assert session.scalar(select(func.count()).select_from(Housing)) == 1
    assert session.scalar(select(func.count()).select_from(Owner)) == 1
    assert session.scalar(select(Housing.energy_label)) == "C"


def test_another_collectivite_keeps_its_own_housing(session, tmp_path):
    first, second = make_collectivite(session), make_collectivite(session)
    path = zlv_export(tmp_path / "e.xlsx", [zlv_row()])
    run(session, first, path)
    assert run(session, second, path).count("create") == 1
    assert session.scalar(select(func.count()).select_from(Housing)) == 2


def test_do_not_contact_stays_flagged(session, tmp_path):
    collectivite = make_collectivite(session)
    path = zlv_export(tmp_path / "e.xlsx", [zlv_row()])
    run(session, collectivite, path)
    owner = session.scalar(select(Owner))
    owner.do_not_contact = True
    session.commit()
    moved = zlv_row(**{"Adresse LOVAC du propriétaire": "8 RUE NEUVE\n58000 NEVERS"})
    run(session, collectivite, zlv_export(tmp_path / "f.xlsx", [moved]))
    session.expire_all()
    owner = session.scalar(select(Owner))
    assert owner.do_not_contact is True
    assert owner.address_lines == ["8 RUE NEUVE", "58000 NEVERS"]


def test_a_new_principal_owner_makes_the_previous_one_rank_0(session, tmp_path):
    collectivite = make_collectivite(session)
    run(session, collectivite, zlv_export(tmp_path / "e.xlsx", [zlv_row()]))
    sold = zlv_row(**{"Propriétaire destinataire principal": "MARTIN PAUL"})
    run(session, collectivite, zlv_export(tmp_path / "f.xlsx", [sold]))
    links = session.execute(select(Owner.full_name, HousingOwner.rank).join(HousingOwner)).all()
    assert sorted(links) == [("DUPONT JEANNE", 0), ("MARTIN PAUL", 1)]


def test_an_insee_code_typed_as_a_number_gets_its_leading_zero(session, tmp_path):
    collectivite = make_collectivite(session, perimeter=["01001"])
    row = zlv_row(**{"Code INSEE commune du logement": 1001})
    plan = run(session, collectivite, zlv_export(tmp_path / "e.xlsx", [row]), confirm=False)
    assert (plan.decisions[0].action, plan.decisions[0].insee_code) == ("create", "01001")


def test_local_id_known_under_another_insee_code_is_refused(session, tmp_path):
    collectivite = make_collectivite(session, perimeter=["58194", "58086"])
    run(session, collectivite, zlv_export(tmp_path / "e.xlsx", [zlv_row()]))
    other = zlv_row(**{"Code INSEE commune du logement": "58086"})
    plan = run(session, collectivite, zlv_export(tmp_path / "f.xlsx", [other]), confirm=False)
    assert "already imported with INSEE code 58194" in texts(plan.decisions[0])[0]


def test_a_new_owner_address_or_name_is_an_update(session, tmp_path):
    collectivite = make_collectivite(session)
    run(session, collectivite, zlv_export(tmp_path / "e.xlsx", [zlv_row()]))
    moved = zlv_row(**{"Adresse LOVAC du propriétaire": "8 quai Nord\n44000 Nantes"})
    plan = run(session, collectivite, zlv_export(tmp_path / "f.xlsx", [moved]))
    assert (plan.decisions[0].action, plan.decisions[0].changes) == ("update", ["owner_address"])
    sold = zlv_row(**{"Propriétaire destinataire principal": "Nouvel Acquéreur"})
    plan = run(session, collectivite, zlv_export(tmp_path / "g.xlsx", [sold]))
    assert (plan.decisions[0].action, plan.decisions[0].changes) == ("update", ["owner"])


def test_owners_are_shared_across_chunks(session, tmp_path, monkeypatch):
    from portal.imports import plan

    monkeypatch.setattr(plan, "CHUNK_SIZE", 1)
    collectivite = make_collectivite(session)
    rows = [zlv_row(f"58194000000{n}") for n in range(1, 4)]
    run(session, collectivite, zlv_export(tmp_path / "e.xlsx", rows))
    links = session.execute(select(HousingOwner.owner_id, HousingOwner.rank)).all()
    assert len(links) == 3 and len({owner for owner, _rank in links}) == 1
    sold = [*rows[:2], zlv_row("581940000003", **{"Propriétaire destinataire principal": "X"}),
            zlv_row("581940000004", **{"Propriétaire destinataire principal": "X"})]  # fmt: skip
    again = run(session, collectivite, zlv_export(tmp_path / "f.xlsx", sold))
    assert [d.action for d in again.decisions] == ["unchanged", "unchanged", "update", "create"]
    session.expire_all()
    by_name = session.execute(
        select(Owner.full_name, func.count()).join(HousingOwner)
        .where(HousingOwner.rank == 1).group_by(Owner.full_name)
    ).all()  # fmt: skip
    assert sorted(by_name) == [("DUPONT JEANNE", 2), ("X", 2)]
    assert session.scalar(select(func.count()).select_from(Owner)) == 2


def test_a_housing_created_between_check_and_write_rolls_everything_back(session, tmp_path,
                                                                       monkeypatch):  # fmt: skip
    from portal.imports import plan
    from portal.imports.plan import DataChanged

    collectivite = make_collectivite(session)
    session.commit()
    real = plan.write

    def meanwhile(session_, collectivite_id, decisions, completions=None):
        session_.add(Housing(collectivite_id=collectivite_id, local_id="581940000002",
                             insee_code="58194"))  # fmt: skip
        session_.flush()
        return real(session_, collectivite_id, decisions, completions)

    monkeypatch.setattr(plan, "write", meanwhile)
    monkeypatch.setattr("portal.imports.run.write", meanwhile)
    rows = [zlv_row(), zlv_row("581940000002")]
    with pytest.raises(DataChanged):
        apply(session, collectivite, zlv_export(tmp_path / "e.xlsx", rows))
    assert session.scalar(select(func.count()).select_from(Housing)) == 0
