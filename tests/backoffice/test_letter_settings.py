"""The letter's settings: wording variants with merge fields checked, sender, signatures,
the preview; and the campaign's letters printing what was saved."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from PIL import Image
from sqlalchemy import select

from portal.models import Event, HousingOwner, Letter, LetterTemplate, SignatureImage
from tests.builders import make_agent, make_campaign, make_housing, make_owner
from tests.conftest import csrf_token, sign_in

PAGE = "/gestion/parametres/courrier"
WORDING = PAGE + "/texte/standard"


@pytest.fixture
def admin(session, town):
    agent = make_agent(session, town, role="admin")
    session.commit()
    return agent


@pytest.fixture
def signed_in(client, admin):
    sign_in(client, admin.email)
    return client


def _post(client, page, action, data, **kwargs):
    return client.post(action, data={"csrf_token": csrf_token(client, page)} | data, **kwargs)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 100), "white").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(("body", "message"), [
    ("Bonjour {{owner.nom}},\n\n{{letter.qrCode}}", "Champ inconnu\u00a0: owner.nom"),
    ("Bonjour {{owner.fullName},", "Une accolade est seule"),
    ("Scannez {{letter.qrCode}} ici.", "seul dans son paragraphe"),
    ("", "Saisissez le texte du courrier"),
])  # fmt: skip
def test_a_wording_that_cannot_print_is_refused_and_kept(signed_in, session, body, message):
    response = _post(signed_in, WORDING, WORDING, {"subject": "Votre logement", "body": body})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert session.scalars(select(LetterTemplate)).all() == []


def test_a_saved_wording_is_printed_and_recorded(app, signed_in, session, town):
    body = (
        "Madame, Monsieur {{owner.fullName}},\n\n{{letter.qrCode}}\n\nVotre code : {{letter.code}}"
    )
    saved = _post(signed_in, WORDING, WORDING, {"subject": "Votre maison {{housing.localId}}",
                                                 "body": body})  # fmt: skip
    assert saved.status_code == 303
    event = session.scalar(select(Event).where(Event.kind == "collectivite:letter-updated"))
    assert event.after["wording:standard"]["subject"] == "Votre maison {{housing.localId}}"

    campaign = make_campaign(session, town, sent_at=None)
    housing, owner = make_housing(session, town), make_owner(session, town, full_name="Eva Roux")
    session.add_all(
        [
            HousingOwner(housing=housing, owner=owner, rank=1),
            Letter(collectivite=town, campaign=campaign, housing=housing, owner=owner),
        ]
    )
    session.commit()  # fmt: skip
    page = f"/gestion/campagnes/{campaign.id}"
    job_page = _post(signed_in, page, page + "/courriers", {}).headers["Location"]
    html = signed_in.get(job_page).get_data(as_text=True)
    pdf_url = re.search(r'href="([^"]+/pdf)"', html).group(1)
    text = pypdf.PdfReader(io.BytesIO(signed_in.get(pdf_url).data)).pages[0].extract_text()
    assert f"Votre maison {housing.local_id}" in text
    assert "Madame, Monsieur Eva Roux" in text


def test_preview_sender_and_signatures(signed_in, session, town):
    preview = signed_in.get(PAGE + "/apercu/standard.pdf")
    assert preview.mimetype == "application/pdf"
    sender = _post(signed_in, PAGE, PAGE, {"service": "Service habitat", "address":
                   "Hôtel de ville\n1 place de la Mairie\n58000 Nevers", "email": "pas-une-adresse",
                   "written_from": "Nevers"})  # fmt: skip
    assert sender.status_code == 400
    assert "Saisissez une adresse e-mail valide" in sender.get_data(as_text=True)
    assert (
        _post(
            signed_in, PAGE, PAGE, {"service": "Service habitat", "written_from": "Nevers"}
        ).status_code
        == 303
    )
    session.rollback()  # a new transaction sees the requests' writes
    session.expire_all()
    assert session.get(type(town), town.id).settings["letter"]["written_from"] == "Nevers"

    refused = _post(signed_in, PAGE, PAGE + "/signature/1",
                    {"signature1": (io.BytesIO(b"<svg/>"), "s.svg")},
                    content_type="multipart/form-data")  # fmt: skip
    assert refused.status_code == 400
    assert "Choisissez une image PNG ou JPEG" in refused.get_data(as_text=True)
    stored = _post(signed_in, PAGE, PAGE + "/signature/2",
                   {"signature2": (io.BytesIO(_png()), "s.png")},
                   content_type="multipart/form-data")  # fmt: skip
    assert stored.status_code == 303
    session.rollback()
    assert [image.position for image in session.scalars(select(SignatureImage))] == [2]
    assert "Une signature est enregistrée." in signed_in.get(PAGE).get_data(as_text=True)
    text = pypdf.PdfReader(io.BytesIO(signed_in.get(PAGE + "/apercu/standard.pdf").data))
    assert "Nevers" in text.pages[0].extract_text()


def test_agents_who_are_not_admins_cannot_change_the_letter(client, session, town):
    agent = make_agent(session, town, role="agent")
    session.commit()
    sign_in(client, agent.email)
    assert client.get(PAGE).status_code == 403
    assert client.get(WORDING).status_code == 403


def test_each_letter_prints_its_own_variant(app, signed_in, session, town):
    short = PAGE + "/texte/courte"
    _post(signed_in, short, short, {"subject": "Version courte",
                                    "body": "Bonjour,\n\n{{letter.qrCode}}"})  # fmt: skip
    campaign = make_campaign(session, town, sent_at=None)
    for name, variant in (("Anne Petit", "standard"), ("Luc Moreau", "courte")):
        housing, owner = make_housing(session, town), make_owner(session, town, full_name=name)
        session.add_all([HousingOwner(housing=housing, owner=owner, rank=1),
                         Letter(collectivite=town, campaign=campaign, housing=housing,
                                owner=owner, variant=variant)])  # fmt: skip
    session.commit()
    page = f"/gestion/campagnes/{campaign.id}"
    html = signed_in.get(_post(signed_in, page, page + "/courriers", {}).headers["Location"])
    pdf_url = re.search(r'href="([^"]+/pdf)"', html.get_data(as_text=True)).group(1)
    pages = [
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(signed_in.get(pdf_url).data)).pages
    ]
    by_owner = {name: next(text for text in pages if name in text)
                for name in ("Anne Petit", "Luc Moreau")}  # fmt: skip
    assert "Version courte" in by_owner["Luc Moreau"]
    assert "Version courte" not in by_owner["Anne Petit"]


def test_the_portals_variants_are_listed_and_start_an_own_wording(signed_in, session, town):
    html = signed_in.get(PAGE).get_data(as_text=True)
    assert "Variantes proposées par le portail" in html
    for label, lever in (("Courrier simplifié", "simplification"),
                         ("Ce que coûte un logement vide", "aversion à la perte"),
                         ("D’autres propriétaires se font aider", "norme sociale")):  # fmt: skip
        assert label in html and f"<td>{lever}</td>" in html
    assert "Plus court, des phrases courtes" in html
    assert html.count("Écrire votre texte à partir de celui-ci") == 5  # standard is theirs

    simplified = PAGE + "/texte/simplified"
    page = signed_in.get(simplified).get_data(as_text=True)
    assert "celui que le portail propose pour la variante" in page
    assert "Votre logement vide {{housing.rawAddress}}" in page  # the form starts from it
    assert "Faites le point en quelques minutes" in page
    text = pypdf.PdfReader(io.BytesIO(signed_in.get(PAGE + "/apercu/simplified.pdf").data))
    assert "Votre logement vide" in text.pages[0].extract_text()

    saved = _post(
        signed_in,
        simplified,
        simplified,
        {"subject": "Notre version simple", "body": "Bonjour,\n\n{{letter.qrCode}}"},
    )
    assert saved.status_code == 303
    html = signed_in.get(PAGE).get_data(as_text=True)
    assert html.count("Écrire votre texte à partir de celui-ci") == 4
    assert "celui que le portail propose" not in signed_in.get(simplified).get_data(as_text=True)
