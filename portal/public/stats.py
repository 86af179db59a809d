"""/stats: what the portal achieves, in public (every beta.gouv service publishes its
impact), and the pre-registration of each finished experiment. Aggregates only; the
figures are computed at most once an hour per process."""

from __future__ import annotations

import threading
import time

from flask import abort, current_app, render_template
from sqlalchemy import func, select

from portal import clock, public_stats
from portal.experiments import published
from portal.experiments.metrics import METRICS
from portal.experiments.wordings import all_variants
from portal.extensions import db
from portal.guidance import current_content
from portal.models import Collectivite
from portal.public import blueprint

CACHE_SECONDS = 3600
_lock = threading.Lock()


def _computed():
    """(figures, experiments), computed now."""
    session, today = db.session(), clock.local_date()
    kinds = {slug: aid.kind for slug, aid in current_content().aids.items()}
    figures = public_stats.figures(session, today, kinds)
    secret_key = current_app.config["SECRET_KEY"]
    experiments = []
    for experiment in published.finished(session, today):
        collectivite = session.get(Collectivite, experiment.collectivite_id)
        named = public_stats.named_in_stats(collectivite.settings)
        experiments.append(published.published(session, experiment, secret_key, named))
    return figures, experiments


def _cached():
    """The hour's figures, per process. Any change to a collectivité (an admin who asks not
    to be named, a new name) changes `max(updated_at)` and so the key: names follow the
    settings at once, on every worker, for one small query per request."""
    seconds = current_app.config.get("STATS_CACHE_SECONDS", CACHE_SECONDS)
    if seconds <= 0:
        return _computed()
    stamp = db.session().scalar(select(func.max(Collectivite.updated_at)))
    cache = current_app.extensions.setdefault("stats_cache", {})
    with _lock:
        computed_at, key, value = cache.get("stats", (0.0, None, None))
        if value is not None and key == stamp and time.monotonic() - computed_at < seconds:
            return value
    value = _computed()
    with _lock:
        cache["stats"] = (time.monotonic(), stamp, value)
    return value


def _variants() -> dict:
    return all_variants(current_app.config["GUIDANCE_CONTENT_PATH"])


@blueprint.get("/stats")
def stats():
    figures, experiments = _cached()
    return render_template("public/stats.html", stats=figures, experiments=experiments,
                           metrics=METRICS, variants=_variants(),
                           threshold=public_stats.THRESHOLD)  # fmt: skip


@blueprint.get("/stats/experiences/<int:experiment_id>")
def stats_experiment(experiment_id: int):
    experiment = published.public_experiment(db.session(), experiment_id, clock.local_date())
    if experiment is None:
        abort(404)
    collectivite = db.session().get(Collectivite, experiment.collectivite_id)
    named = public_stats.named_in_stats(collectivite.settings)
    return render_template("public/stats_experiment.html", experiment=experiment,
                           registration=experiment.registration,
                           collectivite=collectivite.name if named else None,
                           metrics=METRICS, variants=_variants())  # fmt: skip
