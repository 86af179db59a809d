"""`portal collectivite create`, `portal campaign list|letters|tick`, `portal worker`."""

from __future__ import annotations

from datetime import date

import pypdf
from sqlalchemy import select

from portal.models import Collectivite, Housing, HousingOwner, Letter
from tests.builders import make_campaign, make_collectivite, make_housing, make_owner


def test_a_collectivite_is_created_and_bad_input_named(app, session):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["collectivite", "create", "--siren", "215801946", "--name",
                             "Commune de Nevers", "--perimeter", "58194, 58086"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    town = session.scalar(select(Collectivite).where(Collectivite.siren == "215801946"))
    assert (town.name, town.perimeter, town.kind) == ("Commune de Nevers", ["58194", "58086"],
                                                      "COM")  # fmt: skip
    again = runner.invoke(args=["collectivite", "create", "--siren", "215801946", "--name", "X"])
    assert again.exit_code != 0 and "exists already" in again.output
    bad = runner.invoke(args=["collectivite", "create", "--siren", "12345", "--name", "X"])
    assert bad.exit_code != 0 and "--siren" in bad.output


def test_campaign_letters_list_and_tick(app, session, tmp_path):
    town = make_collectivite(session)
    campaign = make_campaign(session, town, title="Vacants 2026", sent_at=date(2026, 1, 5),
                             status="draft")  # fmt: skip
    for name in ("Jeanne Martin", "Paul Durand"):
        housing, owner = make_housing(session, town), make_owner(session, town, full_name=name)
        session.add_all([HousingOwner(housing=housing, owner=owner, rank=1),
                         Letter(collectivite=town, campaign=campaign, housing=housing,
                                owner=owner)])  # fmt: skip
    session.commit()
    runner = app.test_cli_runner()

    tick = runner.invoke(args=["campaigns", "tick"])
    assert tick.exit_code == 0 and "2 housing(s) moved" in tick.output
    assert set(session.scalars(select(Housing.status))) == {"waiting"}
    assert "0 housing(s) moved" in runner.invoke(args=["campaign", "tick"]).output

    listed = runner.invoke(args=["campaign", "list", "--collectivite", town.siren]).output
    assert f"{campaign.id}\t{town.siren}\tEnvoyée\t2026-01-05\t2 letters\t0 returns" in listed

    out = tmp_path / "courriers.pdf"
    first = runner.invoke(args=["campaign", "letters", str(campaign.id), "--out", str(out)])
    assert first.exit_code == 0, first.output
    text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    assert "Jeanne Martin" in text and "Paul Durand" in text
    csv_text = out.with_suffix(".csv").read_text(encoding="utf-8-sig")
    assert "Jeanne Martin" in csv_text
    runner.invoke(args=["campaign", "letters", str(campaign.id), "--out", str(tmp_path / "b.pdf")])
    again = "".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "b.pdf").pages)
    assert again == text  # the same codes


def test_the_worker_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output
