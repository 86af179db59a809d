"""The collectivité's settings: admins only, validated, each change in the history; the
logo re-encoded and served by the portal; partners and local aids reaching the owners'
results."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import func, select

from portal.models import Collectivite, CollectiviteLogo, Event, Response
from portal.owner.journey import record_owner_return
from tests.backoffice.answers_support import VACANT_WITH_WORKS, signed_in_agent
from tests.builders import make_campaign, make_collectivite, make_letter
from tests.conftest import PageClient, csrf_token

SETTINGS = "/gestion/parametres"
PAGES = [SETTINGS, SETTINGS + "/logo", SETTINGS + "/partenaires", SETTINGS + "/aides-locales",
         "/gestion/audit"]  # fmt: skip
POSTS = [SETTINGS, SETTINGS + "/logo", SETTINGS + "/logo/retirer", SETTINGS + "/partenaires",
         SETTINGS + "/partenaires/abc/retirer", SETTINGS + "/aides-locales",
         SETTINGS + "/aides-locales/abc/retirer"]  # fmt: skip
GOOD = {
    "name": "Ville de Bourges", "short_name": "Bourges",
    "contact_points-0-label": "Service habitat", "contact_points-0-phone": "02.48.57.80.00",
    "contact_points-0-email": "Habitat@Ville-Bourges.example",
    "contact_points-0-address": "11 rue Jacques-Rimbault, 18000 Bourges",
    "contact_points-0-hours": "du lundi au vendredi, de 9 h à 12 h",
    "contact_points-2-label": "Accueil de la mairie", "contact_points-2-phone": "+33 2 48 57 80 01",
    "signatories-0-name": "Yann Galut", "signatories-0-role": "Maire de Bourges",
    "digest_frequency": "weekly", "notify_callbacks": "y",
}  # fmt: skip


@pytest.fixture
def admin(client, session, town):
    return signed_in_agent(client, session, town, role="admin")


def post(client, path, data=None, **kwargs):
    token = csrf_token(client, SETTINGS if "/retirer" in path else path)
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


def fresh(session, town) -> Collectivite:
    session.rollback()  # end the test session's snapshot: see what the request wrote
    return session.get(Collectivite, town.id, populate_existing=True)


def events(session):
    session.rollback()
    return session.scalars(select(Event).where(Event.kind == "collectivite:updated")
                           .order_by(Event.id)).all()  # fmt: skip


def test_agents_get_403_on_every_settings_page(client, session, town):
    signed_in_agent(client, session, town, role="agent")
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/gestion/")
    for path in POSTS:
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path
    assert fresh(session, town).name == "Commune de Bourges"


def test_admins_find_the_settings_from_the_home_page(client, admin):
    home = client.get("/gestion/").get_data(as_text=True)
    assert 'href="/gestion/parametres"' in home and 'href="/gestion/audit"' in home


def test_an_admin_saves_identity_contact_points_signatories_and_mails(client, session, town,
                                                                      admin):  # fmt: skip
    page = client.get(SETTINGS).get_data(as_text=True)
    assert page.count('name="contact_points-') == 15  # three rows of five fields
    result = post(client, SETTINGS, GOOD)
    assert result.status_code == 303
    saved = fresh(session, town)
    assert (saved.name, saved.short_name) == ("Ville de Bourges", "Bourges")
    assert saved.contact_points == [
        {"label": "Service habitat", "phone": "02 48 57 80 00",
         "email": "habitat@ville-bourges.example",
         "address": "11 rue Jacques-Rimbault, 18000 Bourges",
         "hours": "du lundi au vendredi, de 9 h à 12 h"},
        {"label": "Accueil de la mairie", "phone": "02 48 57 80 01", "email": "",
         "address": "", "hours": ""},
    ]  # fmt: skip
    assert saved.settings["signatories"] == [{"name": "Yann Galut", "role": "Maire de Bourges"}]
    assert (saved.digest_frequency, saved.notify_callbacks) == ("weekly", True)
    [event] = events(session)
    assert (event.actor_kind, event.agent_id) == ("agent", admin.id)
    assert event.before["name"] == "Commune de Bourges"
    assert event.after["name"] == "Ville de Bourges"
    assert event.before["digest_frequency"] == "daily" and event.after["notify_callbacks"] is True
    assert "logo" not in event.after  # only what changed
    again = client.get(SETTINGS).get_data(as_text=True)
    assert "Paramètres enregistrés." in again and 'value="02 48 57 80 00"' in again
    post(client, SETTINGS, GOOD)  # the same values again: nothing changed, no event
    assert len(events(session)) == 1
    emptied = {**GOOD, "contact_points-2-label": "", "contact_points-2-phone": ""}
    assert post(client, SETTINGS, emptied).status_code == 303  # a row emptied is removed
    assert [p["label"] for p in fresh(session, town).contact_points] == ["Service habitat"]


BAD = [
    ({"contact_points-0-phone": "02 48 57"}, "Saisissez un numéro de téléphone français"),
    ({"contact_points-0-phone": "+44 20 7946 0958"}, "Saisissez un numéro de téléphone français"),
    ({"contact_points-1-label": "Mairie", "contact_points-1-phone": "appelez-nous"},
     "Saisissez un numéro de téléphone français"),
    ({"contact_points-0-email": "habitat@"}, "Saisissez une adresse e-mail valide"),
    ({"contact_points-0-email": "habitat bourges.fr"}, "Saisissez une adresse e-mail valide"),
    ({"contact_points-0-label": ""}, "Indiquez l’intitulé de ce point de contact"),
    ({"name": " "}, "Indiquez le nom de la collectivité"),
    ({"name": "B" * 201}, "Écrivez au plus 200 caractères"),
    ({"signatories-0-role": ""}, "Indiquez la fonction du signataire"),
    ({"digest_frequency": "hourly"}, "Choisissez une des réponses proposées"),
    ({"digest_frequency": ""}, "Choisissez la fréquence du résumé"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_settings_get_a_message_and_change_nothing(client, session, town, admin, change,
                                                       message):  # fmt: skip
    result = post(client, SETTINGS, {**GOOD, **change})
    html = result.get_data(as_text=True)
    assert result.status_code == 400
    assert message in html
    assert "<title>Erreur\u00a0: " in html
    saved = fresh(session, town)
    assert (saved.name, saved.contact_points, saved.digest_frequency) == (
        "Commune de Bourges", [], "daily")  # fmt: skip
    assert events(session) == []


# --- Logo ----------------------------------------------------------------------------------


def png_bytes(size=(120, 60), mode="RGBA", color=(0, 0, 145, 255), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format="PNG", **save)
    return out.getvalue()


def upload(client, data: bytes, filename="logo.png", content_type="image/png"):
    token = csrf_token(client, SETTINGS + "/logo")
    return client.post(SETTINGS + "/logo", content_type="multipart/form-data",
                       data={"csrf_token": token,
                             "logo": (io.BytesIO(data), filename, content_type)})  # fmt: skip


def test_a_png_logo_is_re_encoded_without_its_metadata_and_served_by_the_portal(
    client, session, town, admin
):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret de fabrication")
    original = png_bytes((1600, 800), pnginfo=info)
    assert upload(client, original).status_code == 303
    saved = fresh(session, town)
    stored = session.get(CollectiviteLogo, town.id)
    assert saved.logo_path == f"db:{stored.version}"
    assert (stored.media_type, stored.width, stored.height) == ("image/png", 800, 400)
    assert b"secret de fabrication" not in stored.data
    with Image.open(io.BytesIO(stored.data)) as image:
        assert (image.format, image.size) == ("PNG", (800, 400))
        assert "Comment" not in image.info
    page = client.get("/gestion/").get_data(as_text=True)
    url = f"/logos/{town.id}/{stored.version}"
    assert f'src="{url}"' in page  # in the header (and the footer)
    served = client.get(url)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.data == stored.data
    assert client.get(f"/logos/{town.id}/0000").headers["Location"] == url
    assert client.get(f"/logos/{town.id + 1}/{stored.version}").status_code == 404
    [event] = events(session)
    assert (event.before, event.after) == ({"logo": None}, {"logo": saved.logo_path})


def test_a_jpeg_logo_loses_its_exif(client, session, town, admin):
    exif = Image.Exif()
    exif[0x010E] = "Photo prise au 12 rue des Tilleuls"  # ImageDescription
    out = io.BytesIO()
    Image.new("RGB", (300, 100), (200, 30, 30)).save(out, format="JPEG", exif=exif.tobytes())
    assert b"rue des Tilleuls" in out.getvalue()
    assert upload(client, out.getvalue(), "logo.jpg", "image/jpeg").status_code == 303
    session.rollback()
    stored = session.get(CollectiviteLogo, town.id)
    assert stored.media_type == "image/jpeg"
    assert b"rue des Tilleuls" not in stored.data
    with Image.open(io.BytesIO(stored.data)) as image:
        assert image.format == "JPEG" and not image.getexif()


def test_an_admin_removes_the_logo(client, session, town, admin):
    upload(client, png_bytes())
    assert post(client, SETTINGS + "/logo/retirer").status_code == 303
    assert fresh(session, town).logo_path is None
    assert session.scalar(select(func.count()).select_from(CollectiviteLogo)) == 0


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
BAD_LOGOS = [
    (SVG, "logo.svg", "image/svg+xml", "Choisissez une image PNG ou JPEG"),
    (SVG, "logo.png", "image/png", "Choisissez une image PNG ou JPEG"),
    (b"GIF89a" + b"\0" * 100, "logo.gif", "image/gif", "Choisissez une image PNG ou JPEG"),
    (b"%PDF-1.7\n", "logo.pdf", "application/pdf", "Choisissez une image PNG ou JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"pas une image", "logo.png", "image/png",
     "Cette image ne peut pas être lue"),
    (png_bytes()[:-40], "logo.png", "image/png", "Cette image ne peut pas être lue"),
    (png_bytes() + b"\0" * 520_000, "logo.png", "image/png", "Le fichier pèse plus de 500 ko"),
    (b"", "logo.png", "image/png", "Choisissez une image PNG ou JPEG"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "filename", "content_type", "message"), BAD_LOGOS)
def test_a_bad_logo_gets_a_message_and_changes_nothing(
    client, session, town, admin, data, filename, content_type, message
):
    result = upload(client, data, filename, content_type)
    assert result.status_code == 400
    assert message in result.get_data(as_text=True)
    assert fresh(session, town).logo_path is None
    assert session.scalar(select(func.count()).select_from(CollectiviteLogo)) == 0
    assert events(session) == []


def test_no_file_gets_a_message(client, session, town, admin):
    token = csrf_token(client, SETTINGS + "/logo")
    result = client.post(SETTINGS + "/logo", data={"csrf_token": token})
    assert result.status_code == 400
    assert "Choisissez un fichier PNG ou JPEG" in result.get_data(as_text=True)


def test_a_huge_image_in_a_small_file_is_refused(client, session, town, admin):
    bomb = png_bytes((6000, 6000), mode="1", color=0)  # a few kB, 36 million pixels
    assert len(bomb) < 500_000
    result = upload(client, bomb)
    assert result.status_code == 400
    assert "Cette image ne peut pas être lue" in result.get_data(as_text=True)


# --- Partners and local aids -----------------------------------------------------------------


def owner_results(app, session, collectivite) -> str:
    """The results page of an owner of `collectivite` who answered and submitted."""
    letter, token, _ = make_letter(session, make_campaign(session, collectivite))
    answers = dict(VACANT_WITH_WORKS, owner_kind="individual", energy_label="F",
                   accepts_rent_cap="yes", owner_income_band="modest")  # fmt: skip
    session.add(Response(letter_id=letter.id, collectivite_id=collectivite.id,
                         answers=answers))  # fmt: skip
    session.commit()
    with app.app_context():
        record_owner_return(session, letter, app.extensions["content"], "submitted",
                            now=datetime.now(UTC))  # fmt: skip
    owner = PageClient(app.test_client())
    owner.get(f"/l/{token}")
    page = owner.get("/resultats")
    assert page.status_code == 200
    return page.get_data(as_text=True)


PARTNER = {"name": "Soliha Cher", "stands_for": "anah_operator", "phone": "0248700000",
           "email": "contact@soliha-cher.example", "url": "https://soliha-cher.example",
           "description": "Accompagne les travaux, gratuitement."}  # fmt: skip
AID = {"title": "Prime façade de Bourges",
       "description": "Pour ravaler une façade en centre-ville.",
       "amount": "jusqu’à 3 000 € par immeuble"}  # fmt: skip


def test_a_local_aid_and_a_partner_reach_this_collectivites_owners_only(app, client, session,
                                                                        town, admin):  # fmt: skip
    other = make_collectivite(session, name="Commune de Vierzon")
    session.commit()
    assert post(client, SETTINGS + "/partenaires", PARTNER).status_code == 303
    partner = fresh(session, town).settings["partners"][0]
    assert (partner["phone"], partner["stands_for"]) == ("02 48 70 00 00", "anah_operator")
    contact = f"partner-{partner['id']}"
    assert post(client, SETTINGS + "/aides-locales", {**AID, "contact": contact}).status_code == 303
    aid = fresh(session, town).settings["local_aids"][0]
    assert aid["slug"].startswith("local:prime-facade-de-bourges-")

    results = owner_results(app, session, town)
    before, card = results.split("Prime façade de Bourges</h3>")
    card = card.split("</details>")[0]  # the local aid's card, to the end of its details
    assert "jusqu’à 3 000 € par immeuble" in card
    assert "À vérifier avec Soliha Cher" in card
    assert "Les conditions sont à vérifier auprès de votre collectivité" in card
    assert "Soliha Cher (02 48 70 00 00)" in card
    # The partner is the OPAH operator: national aids that name the operator show it.
    assert "Soliha Cher (02 48 70 00 00)" in before
    assert aid["slug"] not in results  # no "En savoir plus" link to a page that does not exist

    elsewhere = owner_results(app, session, other)
    assert "Prime façade de Bourges" not in elsewhere and "Soliha Cher" not in elsewhere
    kinds = [(e.before.keys(), e.after.keys()) for e in events(session)]
    assert kinds == [({"partners"}, {"partners"}), ({"local_aids"}, {"local_aids"})]


def test_removing_a_partner_and_an_aid(app, client, session, town, admin):
    post(client, SETTINGS + "/partenaires", PARTNER)
    partner_id = fresh(session, town).settings["partners"][0]["id"]
    post(client, SETTINGS + "/aides-locales", {**AID, "contact": f"partner-{partner_id}"})
    aid_id = fresh(session, town).settings["local_aids"][0]["id"]
    page = client.get(SETTINGS + "/partenaires").get_data(as_text=True)
    assert "Retirer «\u00a0Soliha Cher\u00a0»" in page
    assert post(client, f"{SETTINGS}/partenaires/{partner_id}/retirer").status_code == 303
    saved = fresh(session, town)
    assert saved.settings["partners"] == []
    assert saved.settings["local_aids"][0]["contact"] == ""  # no dangling contact
    assert "Soliha Cher" not in owner_results(app, session, town)
    assert post(client, f"{SETTINGS}/aides-locales/{aid_id}/retirer").status_code == 303
    assert fresh(session, town).settings["local_aids"] == []
    assert post(client, f"{SETTINGS}/aides-locales/{aid_id}/retirer").status_code == 404
    assert client.post(f"{SETTINGS}/partenaires/x/retirer").status_code == 400  # no CSRF token
    assert len(events(session)) == 4


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/partenaires", {**PARTNER, "name": ""}, "Indiquez le nom du partenaire"),
        ("/partenaires", {**PARTNER, "phone": "12"}, "Saisissez un numéro de téléphone français"),
        ("/partenaires", {**PARTNER, "email": "contact@"}, "Saisissez une adresse e-mail valide"),
        ("/partenaires", {**PARTNER, "url": "javascript:alert(1)"},
         "Saisissez une adresse commençant par https://"),
        ("/partenaires", {**PARTNER, "stands_for": "collectivite"},
         "Choisissez une des réponses proposées"),
        ("/aides-locales", {**AID, "title": ""}, "Indiquez le nom de l’aide"),
        ("/aides-locales", {**AID, "description": ""}, "Décrivez l’aide en quelques phrases"),
        ("/aides-locales", {**AID, "contact": "partner-inconnu"},
         "Choisissez une des réponses proposées"),
    ],
)  # fmt: skip
def test_bad_partners_and_aids_get_a_message(client, session, town, admin, path, data, message):
    result = post(client, SETTINGS + path, data)
    assert result.status_code == 400
    assert message in result.get_data(as_text=True)
    assert fresh(session, town).settings == {}
    assert events(session) == []
