"""Importing housings from the back-office: upload → preview job (problems by row, report)
→ confirm → apply job → data written; bad files refused clearly; all or nothing; scoped to
the agent's collectivité. Jobs run inline in tests (JOBS_RUNNER="inline")."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from portal.models import Event, Housing, Job, JobFile, Owner
from tests.backoffice.answers_support import signed_in_agent
from tests.builders import make_collectivite
from tests.conftest import csrf_token
from tests.imports.files import ZLV_HEADERS, csv_file, zlv_export, zlv_row

NEW = "/gestion/imports/nouveau"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def agent(client, session, town):
    return signed_in_agent(client, session, town, role="agent")


def upload(client, data: bytes, filename="export-zlv.xlsx", content_type=XLSX, **kwargs):
    token = csrf_token(client, NEW)
    return client.post(NEW, content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(data), filename,
                                                           content_type)}, **kwargs)  # fmt: skip


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def job_path(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def confirm(client, path: str):
    token = csrf_token(client, path)
    return client.post(path + "/confirmer", data={"csrf_token": token})


def rows_with_problems():
    return [
        zlv_row(),
        zlv_row("581940000002", **{"Code INSEE commune du logement": "75056"}),
        zlv_row("581940000003", **{"Surface (m²)": "=B2*2"}),
        zlv_row("581940000004", **{"Année de début de vacance": "01/03/2017"}),
        zlv_row(),
    ]


def test_the_home_page_links_to_the_import(client, agent):
    html = client.get("/gestion/").get_data(as_text=True)
    assert f'href="{NEW}"' in html
    page = client.get(NEW).get_data(as_text=True)
    assert 'type="file"' in page and 'accept=".xlsx,.csv' in page
    assert "Taille maximale : 50 Mo" in page
    assert 'enctype="multipart/form-data"' in page


def test_upload_preview_confirm_and_reimport(client, session, town, agent, tmp_path):
    data = zlv_export(tmp_path / "e.xlsx", rows_with_problems()).read_bytes()
    path = job_path(upload(client, data))
    html = client.get(path).get_data(as_text=True)
    assert "Vérification du fichier : ce que l’import ferait" in html
    assert "http-equiv" not in html  # done: no more refresh
    # The problems by row: ligne, identifiant, problème.
    assert "n’est pas dans le périmètre de la collectivité" in html
    assert "formule dans : surface" in html
    assert "même logement qu’à la ligne 2" in html
    assert re.search(r"<td>6</td>\s*<td>581940000001</td>", html)
    assert count(session, Housing) == 0  # a preview writes nothing
    # The full report.
    report_url = path + "/rapport.csv"
    assert f'href="{report_url}"' in html
    report = client.get(report_url)
    assert report.headers["Content-Disposition"].startswith("attachment;")
    lines = report.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "ligne;action;identifiant fiscal national;code INSEE;détail"
    assert lines[1].startswith("2;création;581940000001;58194;")
    assert len(lines) == 6
    # Confirm: the apply job writes the rows that are not refused.
    done = client.get(job_path(confirm(client, path))).get_data(as_text=True)
    assert "Import terminé : 2 créés, 0 mis à jour, 0 inchangés, 3 refusés." in done
    assert count(session, Housing) == 2
    event = session.scalar(select(Event).where(Event.kind == "collectivite:housings-imported"))
    assert (event.agent_id, event.after["create"], event.after["file"]) == (
        agent.id, 2, "export-zlv.xlsx")  # fmt: skip
    # A second confirmation (double click) imports nothing more.
    again = confirm(client, path)
    assert again.headers["Location"] == job_path(confirm(client, path))
    assert count(session, Job) == 2
    # The same file again: updates (here: unchanged), never duplicates.
    second = job_path(upload(client, data))
    html = client.get(second).get_data(as_text=True)
    assert re.search(r"Logements inchangés</th>\s*<td>2</td>", html)
    assert "Aucune ligne à importer" in html
    changed = [zlv_row(**{"DPE représentatif": "C"}),
               zlv_row("581940000004", **{"Année de début de vacance": 2017})]  # fmt: skip
    third = job_path(upload(client, zlv_export(tmp_path / "f.xlsx", changed).read_bytes()))
    done = client.get(job_path(confirm(client, third))).get_data(as_text=True)
    assert "0 créés, 1 mis à jour, 1 inchangés" in done
    assert (count(session, Housing), count(session, Owner)) == (2, 1)
    assert session.scalar(select(Housing.energy_label).where(
        Housing.local_id == "581940000001")) == "C"  # fmt: skip


def test_the_page_shows_progress_and_refreshes_itself(client, session, town, agent):
    job = Job(collectivite_id=town.id, kind="import", state="running", done=12_000,
              total=100_000, params={"mode": "preview", "file_name": "gros.xlsx"},
              result={"stage": "check"})  # fmt: skip
    session.add(job)
    session.commit()
    from portal import clock

    job.started_at = job.heartbeat_at = clock.now()
    session.commit()
    html = client.get(f"/gestion/imports/{job.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "12\u202f000 lignes sur 100\u202f000" in html
    assert re.search(r'<progress [^>]*value="12000" max="100000"', html)
    stopped = client.get(f"/gestion/imports/{job.id}?actualisation=non").get_data(as_text=True)
    assert "http-equiv" not in stopped and "Reprendre la mise à jour automatique" in stopped


def test_a_failing_apply_writes_nothing_and_can_be_restarted(
    client, session, town, agent, tmp_path, monkeypatch
):
    from portal.imports import plan

    rows = [zlv_row(f"58194{n:07d}") for n in range(1, 2_501)]
    path = job_path(upload(client, zlv_export(tmp_path / "e.xlsx", rows).read_bytes()))
    real = plan.owner_of
    calls = {"n": 0}

    def failing_late(*args):
        calls["n"] += 1
        if calls["n"] == 2_400:  # after two chunks of 1,000 have been written
            raise RuntimeError("disk full")
        return real(*args)

    monkeypatch.setattr(plan, "owner_of", failing_late)
    failed = job_path(confirm(client, path))
    html = client.get(failed).get_data(as_text=True)
    assert "L’import n’a pas abouti" in html
    assert "Rien n’a été enregistré." in html
    assert (count(session, Housing), count(session, Owner)) == (0, 0)
    assert count(session, Event) == 0
    monkeypatch.setattr(plan, "owner_of", real)
    token = csrf_token(client, failed)
    restarted = client.post(failed + "/relancer", data={"csrf_token": token})
    assert restarted.headers["Location"] == failed
    assert "Import terminé : 2\u202f500 créés" in client.get(failed).get_data(as_text=True)
    assert count(session, Housing) == 2_500


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"not a zip at all", "export.xlsx", "n’est pas un classeur XLSX"),
        (b"PK\x03\x04broken", "export.xlsx", "n’est pas un classeur XLSX lisible"),
        (b"", "vide.csv", "Le fichier vide.csv est vide"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ancien.xls", "Excel 97-2003"),
        (b"invariant;adresse\n1;2\n", "f.csv", "« ff_idlocal », « code_insee »"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_on_the_upload_page(
    client, session, agent, data, filename, message
):
    response = upload(client, data, filename)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert re.search(r"<title>Erreur\s*: ", html)
    assert count(session, Job) == 0


def test_no_file_chosen(client, session, agent):
    token = csrf_token(client, NEW)
    response = client.post(NEW, data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choisissez un fichier XLSX ou CSV" in response.get_data(as_text=True)


def test_a_workbook_missing_zlv_columns_is_refused(client, session, agent, tmp_path):
    headers = [h for h in ZLV_HEADERS if h != "Code INSEE commune du logement"]
    data = zlv_export(tmp_path / "e.xlsx", [zlv_row()], headers=headers).read_bytes()
    html = upload(client, data).get_data(as_text=True)
    assert "feuille « Logements »" in html and "« Code INSEE commune du logement »" in html


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [("latin-1", ";", b""), ("utf-8", ",", b"\xef\xbb\xbf"), ("utf-8", ";", b"")],
)
def test_csv_files_as_spreadsheets_write_them(client, session, agent, tmp_path, encoding,
                                              delimiter, bom):  # fmt: skip
    line = ("581940000001,1940001234,58194,12 rue des Tilleuls,MAISON,84,4,1932,"
            "2019-03-01,F,Hélène Légaré,Particulier,3 av de la Gare")  # fmt: skip
    path = csv_file(tmp_path / "f.csv", [line], delimiter=delimiter, encoding=encoding)
    job = job_path(upload(client, bom + path.read_bytes(), "f.csv", "text/csv"))
    html = client.get(job).get_data(as_text=True)
    assert re.search(r"Logements à créer</th>\s*<td>1</td>", html)
    client.get(job_path(confirm(client, job)))
    assert session.scalar(select(Owner.full_name)) == "Hélène Légaré"
    assert session.scalar(select(Housing.vacancy_start_year)) == 2019


def test_a_file_with_no_rows_is_refused_on_its_page(client, session, agent, tmp_path):
    data = zlv_export(tmp_path / "e.xlsx", []).read_bytes()
    html = client.get(job_path(upload(client, data))).get_data(as_text=True)
    assert "Ce fichier ne peut pas être importé" in html
    assert "ne contient aucune ligne de logement" in html
    assert "Confirmer" not in html


def test_a_too_large_upload_gives_the_page_with_a_message(client, session, app, agent,
                                                          monkeypatch):  # fmt: skip
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1024)
    response = upload(client, b"x" * 4096, "gros.csv", "text/csv")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Le fichier dépasse 1 ko : découpez-le en plusieurs fichiers" in html
    assert count(session, Job) == 0


def test_the_import_accepts_more_than_the_global_limit(client, session, app, agent):
    data = b"ff_idlocal,code_insee,proprietaire\n" + b"".join(
        b"58194%07d,58194,%s\n" % (n, b"DUPONT " * 40) for n in range(1, 12_001)
    )
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    html = client.get(job_path(upload(client, data, "gros.csv", "text/csv"))).get_data(as_text=True)
    assert re.search(r"Logements à créer</th>\s*<td>12\u202f000</td>", html)


def test_the_upload_checks_its_csrf_token(client, session, agent):
    response = client.post(NEW, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"a,b\n"), "f.csv", "text/csv")})  # fmt: skip
    assert response.status_code == 400
    assert count(session, Job) == 0


def test_owner_sheet_completes_an_owner_without_address(client, session, agent, tmp_path):
    from openpyxl import load_workbook

    path = zlv_export(tmp_path / "e.xlsx", [zlv_row(**{"Adresse LOVAC du propriétaire": None})])
    workbook = load_workbook(path)
    workbook["Propriétaires"]["C2"] = "8 RUE NEUVE\n58000 NEVERS"
    workbook.save(path)
    job = job_path(upload(client, path.read_bytes()))
    assert "1 adresse de propriétaire sera complétée" in client.get(job).get_data(as_text=True)
    client.get(job_path(confirm(client, job)))
    assert session.scalar(select(Owner.address_lines)) == ["8 RUE NEUVE", "58000 NEVERS"]


def test_another_collectivite_cannot_see_or_confirm_the_job(app, client, session, town, agent,
                                                           tmp_path):  # fmt: skip
    path = job_path(upload(client, zlv_export(tmp_path / "e.xlsx", [zlv_row()]).read_bytes()))
    other = app.test_client()
    from tests.conftest import PageClient

    other = PageClient(other)
    signed_in_agent(other, session, make_collectivite(session, name="Autre"))
    assert other.get(path).status_code == 404
    assert other.get(path + "/rapport.csv").status_code == 404
    token = csrf_token(other, NEW)
    assert other.post(path + "/confirmer", data={"csrf_token": token}).status_code == 404
    assert other.post(path + "/relancer", data={"csrf_token": token}).status_code == 404
    assert count(session, Job) == 1 and count(session, Housing) == 0
    assert count(session, JobFile) == 2  # the input and the preview's report only


def test_the_pages_and_the_report_in_english(client, session, agent, tmp_path):
    client.get("/langue/en?next=/gestion/")
    data = zlv_export(tmp_path / "e.xlsx", rows_with_problems()).read_bytes()
    path = job_path(upload(client, data))
    html = client.get(path).get_data(as_text=True)
    assert "File checked: what the import would do" in html
    assert "INSEE code 75056 is outside the collectivité’s perimeter" in html
    report = client.get(path + "/rapport.csv").get_data(as_text=True)
    assert report.lstrip("\ufeff").startswith("row;action;local id;INSEE code;detail")
