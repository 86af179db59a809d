"""Which wording a letter prints: the collectivité's own wording of its variant, else the
portal's text of that variant, else the collectivité's standard, else the portal's."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from portal.config import ROOT
from portal.letters import campaign as printed
from portal.letters import pdf
from portal.letters.merge import load_template
from portal.models import LetterTemplate
from tests.builders import make_campaign, make_collectivite, make_letter

CONTENT = ROOT / "guidance_content"
SECRET_KEY = "test-secret-key-for-letters-0123456789"


def _own(session, collectivite, variant: str, subject: str) -> None:
    session.add(LetterTemplate(collectivite_id=collectivite.id, variant=variant, subject=subject,
                               body="Bonjour,\n\n{{letter.qrCode}}"))  # fmt: skip
    session.flush()


@pytest.mark.parametrize(
    ("own", "variant", "expected"),
    [
        ((), "simplified", "content:simplified"),
        (("standard",), "simplified", "content:simplified"),
        (("simplified", "standard"), "simplified", "own:simplified"),
        ((), "standard", "content:standard"),
        (("standard",), "standard", "own:standard"),
        (("standard",), "courte", "own:standard"),  # neither theirs nor the portal's
        ((), "courte", "content:standard"),
        (("courte",), "courte", "own:courte"),
    ],
)
def test_the_wording_a_variant_prints(session, own, variant, expected):
    town = make_collectivite(session)
    for name in own:
        _own(session, town, name, f"own:{name}")
    subject, _body = printed.wording(session, town.id, CONTENT, variant)
    kind, name = expected.split(":")
    if kind == "own":
        assert subject == expected
    else:
        assert subject == load_template(CONTENT, name)[0]


def test_a_letter_in_the_simplified_arm_prints_the_simplified_subject(session, app):
    town = make_collectivite(session)
    _own(session, town, "standard", "Notre courrier habituel")
    campaign = make_campaign(session, town)
    make_letter(session, campaign, variant="simplified")
    make_letter(session, campaign, variant="standard")
    printed.issue_codes(session, campaign, SECRET_KEY)

    def layout(variant="standard"):
        return printed.layout_for(session, town, campaign.title, date(2026, 12, 2),
                                  "https://portail.example.fr", CONTENT, variant)  # fmt: skip

    variants = {name: layout(name) for name in printed.variants_of(session, campaign)}
    recipients = [printed.recipient(letter, housing, owner, SECRET_KEY)
                  for letter, housing, owner in printed.letters_of(session, campaign)]  # fmt: skip
    out = io.BytesIO()
    pdf.render(layout(), recipients, out, variants=variants)
    pages = [" ".join(p.extract_text().replace("\u00a0", " ").split())
             for p in PdfReader(io.BytesIO(out.getvalue())).pages]  # fmt: skip
    assert len(pages) == 2
    subject = load_template(CONTENT, "simplified")[0].replace("\u00a0", " ")
    before, after = (part.strip() for part in subject.split("{{housing.rawAddress}}"))
    assert (before, after) == ("Votre logement vide", ": nous pouvons vous aider")
    assert f"Objet : {before}" in pages[0] and after in pages[0]
    assert "Objet : Notre courrier habituel" in pages[1] and before not in pages[1]
