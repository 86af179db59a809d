"""The experiments registry, for the collectivité's admins: list, drafts, the power
calculator, launch (frozen), stop, copy, the printable pre-registration, the analysis and
the pseudonymised units export. An experiment of another collectivité is not found (404)."""

from __future__ import annotations

from decimal import Decimal

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from portal import clock
from portal.backoffice import blueprint
from portal.backoffice import experiments as queries
from portal.backoffice.auth import admin_required
from portal.backoffice.experiment_forms import (
    ANALYSIS_NOTES,
    ARM_ROWS,
    ExperimentForm,
    PowerForm,
    arm_fields,
    problem_text,
)
from portal.backoffice.forms import ActionForm
from portal.database import begin_write
from portal.experiments import power, registry
from portal.experiments.metrics import METRICS
from portal.experiments.units import units_csv
from portal.experiments.wordings import all_variants
from portal.extensions import db
from portal.forms import SelectChoice
from portal.i18n import current_language


def _content_root() -> str:
    return current_app.config["GUIDANCE_CONTENT_PATH"]


def _variants() -> dict:
    return all_variants(_content_root())


def _form(experiment=None, formdata=None):
    locale = current_language()
    choices = [SelectChoice(slug, f"{w.label_in(locale)} ({slug})")
               for slug, w in _variants().items()]  # fmt: skip
    form = arm_fields(ExperimentForm, choices)(formdata=formdata, obj=experiment)
    form.campaigns.choices = [SelectChoice(c.id, c.title) for c in
                              queries.campaigns_of(db.session(), g.collectivite.id)]  # fmt: skip
    if experiment is not None and formdata is None:
        form.baseline_rate.data = (
            None
            if experiment.baseline_rate is None
            else Decimal(str(round(experiment.baseline_rate * 100, 4)))
        )
        form.campaigns.data = [c.id for c in experiment.campaigns]
        for row, arm in enumerate(experiment.arms or [], start=1):
            getattr(form, f"arm_{row}").data = arm["variant"]
            getattr(form, f"weight_{row}").data = arm["weight"]
    return form  # fmt: skip


def _fields(form) -> dict:
    arms = []
    for row in range(1, ARM_ROWS + 1):
        variant, weight = getattr(form, f"arm_{row}").data, getattr(form, f"weight_{row}").data
        if variant:
            arms.append({"variant": variant, "weight": weight if weight is not None else 1})
    number = lambda v: None if v is None else float(v)  # noqa: E731
    return {
        "title": form.title.data.strip(), "hypothesis": (form.hypothesis.data or "").strip(),
        "kind": form.kind.data, "page": form.page.data or None, "arms": arms,
        "primary_metric": form.primary_metric.data or None,
        "secondary_metrics": list(form.secondary_metrics.data or []),
        "guardrail_metrics": list(form.guardrail_metrics.data or []),
        "alpha": number(form.alpha.data) if form.alpha.data is not None else 0.05,
        "power": number(form.power.data) if form.power.data is not None else 0.8,
        "baseline_rate": None if form.baseline_rate.data is None
        else float(form.baseline_rate.data) / 100,
        "planned_sample": form.planned_sample.data, "analysis_date": form.analysis_date.data,
    }  # fmt: skip


def _experiment(experiment_id: int):
    experiment = queries.experiment_of(db.session(), g.collectivite.id, experiment_id)
    if experiment is None:
        abort(404)
    return experiment


@blueprint.get("/experiences")
@admin_required
def experiments():
    return render_template(
        "backoffice/experiments.html",
        experiments=queries.experiments_of(db.session(), g.collectivite.id),
    )


@blueprint.route("/experiences/nouvelle", methods=["GET", "POST"])
@admin_required
def experiment_new():
    form = _form(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        session = db.session()
        begin_write(session)
        experiment = registry.create_draft(session, g.collectivite.id, g.agent.id,
                                           _fields(form), form.campaigns.data)  # fmt: skip
        session.commit()
        flash(_("Brouillon enregistré. Complétez-le, puis lancez l’expérience."), "success")
        return redirect(url_for("backoffice.experiment", experiment_id=experiment.id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("backoffice/experiment_form.html", form=form, experiment=None), status


@blueprint.route("/experiences/<int:experiment_id>/modifier", methods=["GET", "POST"])
@admin_required
def experiment_edit(experiment_id: int):
    experiment = _experiment(experiment_id)
    if experiment.status != "draft":
        flash(problem_text(registry.Problem("frozen", "status")), "error")
        return redirect(url_for("backoffice.experiment", experiment_id=experiment.id), 303)
    form = _form(experiment, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        session = db.session()
        begin_write(session)
        registry.update_draft(session, _experiment(experiment_id), _fields(form),
                              form.campaigns.data)  # fmt: skip
        session.commit()
        flash(_("Brouillon enregistré."), "success")
        return redirect(url_for("backoffice.experiment", experiment_id=experiment_id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("backoffice/experiment_form.html", form=form,
                           experiment=experiment), status  # fmt: skip


def _plan(experiment, form: PowerForm):
    """The calculator's answer: letters needed for the effect, MDE with the planned letters."""
    if not request.args or not form.validate():
        return None
    weights = [arm["weight"] for arm in experiment.arms or []]
    if len(weights) < 2 or not all(isinstance(w, int) and w > 0 for w in weights):
        weights = [1, 1]
    baseline, effect = float(form.base.data) / 100, float(form.effet.data) / 100
    alpha, power_wanted = float(form.alpha.data), float(form.puissance.data)
    try:
        plan = power.sample_size(baseline, effect, alpha=alpha, power=power_wanted,
                                 weights=weights)  # fmt: skip
    except ValueError:
        form.effet.errors.append(
            _(
                "Avec ce taux attendu, cet effet n’est pas détectable : "
                "choisissez un effet plus grand ou un taux plus bas."
            )
        )
        return None
    mde = None
    if experiment.planned_sample and experiment.planned_sample >= 2 * len(weights):
        mde = power.minimum_detectable_effect(baseline, experiment.planned_sample, alpha=alpha,
                                              power=power_wanted, weights=weights)  # fmt: skip
    return {"plan": plan, "mde": mde, "alpha": alpha, "power": power_wanted}


def _power_form(experiment) -> PowerForm:
    """The calculator as asked (GET), or filled with the draft's rate, alpha and power."""
    if request.args:
        return PowerForm(request.args)
    form = PowerForm(None)
    if experiment.baseline_rate:
        form.base.data = Decimal(str(round(experiment.baseline_rate * 100, 4)))
    form.alpha.data = Decimal(str(experiment.alpha if experiment.alpha is not None else 0.05))
    form.puissance.data = Decimal(str(experiment.power if experiment.power is not None else 0.8))
    return form


@blueprint.get("/experiences/<int:experiment_id>")
@admin_required
def experiment(experiment_id: int):
    session, experiment = db.session(), _experiment(experiment_id)
    today = clock.local_date()
    power_form = _power_form(experiment)
    problems = (registry.validate(session, experiment, _content_root(), today=today)
                if experiment.status == "draft" else [])  # fmt: skip
    return render_template(
        "backoffice/experiment.html", experiment=experiment, power_form=power_form,
        plan=_plan(experiment, power_form), problems=[problem_text(p) for p in problems],
        printed=registry.printed_letters(session, experiment), action_form=ActionForm(),
        mde=queries.experiment_mde(experiment), metrics=METRICS, variants=_variants(),
    )  # fmt: skip


def _act(experiment_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    session = db.session()
    begin_write(session)
    return session, _experiment(experiment_id)


def _change(experiment_id: int, change, done: str):
    """Launch or stop: the registry's change, committed, or its problems flashed."""
    session, experiment = _act(experiment_id)
    try:
        change(session, experiment)
    except registry.RegistryError as error:
        session.rollback()
        for problem in error.problems:
            flash(problem_text(problem), "error")
    else:
        session.commit()
        flash(done, "success")
    return redirect(url_for("backoffice.experiment", experiment_id=experiment_id), 303)


@blueprint.route("/experiences/<int:experiment_id>/lancer", methods=["GET", "POST"])
@admin_required
def experiment_launch(experiment_id: int):
    """GET: what the launch freezes, to confirm (a launch cannot be undone). POST: launch."""
    if request.method == "POST":

        def launch(session, experiment):
            registry.launch(session, experiment, _content_root(), now=clock.now(),
                            today=clock.local_date())  # fmt: skip

        return _change(experiment_id, launch,
                       _("L’expérience est lancée : sa préinscription est figée."))  # fmt: skip
    session, experiment = db.session(), _experiment(experiment_id)
    back = redirect(url_for("backoffice.experiment", experiment_id=experiment.id), 303)
    if experiment.status != "draft":
        flash(problem_text(registry.Problem("frozen", "status")), "error")
        return back
    if registry.validate(session, experiment, _content_root(), today=clock.local_date()):
        flash(_("Complétez le brouillon avant de le lancer."), "error")
        return back
    return render_template(
        "backoffice/experiment_launch.html", experiment=experiment, action_form=ActionForm(),
        printed=registry.printed_letters(session, experiment),
        mde=queries.experiment_mde(experiment), metrics=METRICS, variants=_variants(),
    )  # fmt: skip


@blueprint.post("/experiences/<int:experiment_id>/arreter")
@admin_required
def experiment_stop(experiment_id: int):
    def stop(session, experiment):
        registry.stop(session, experiment, now=clock.now())

    return _change(experiment_id, stop, _("L’expérience est arrêtée : plus aucun courrier "
                                          "n’y sera affecté."))  # fmt: skip


@blueprint.post("/experiences/<int:experiment_id>/copier")
@admin_required
def experiment_copy(experiment_id: int):
    session, experiment = _act(experiment_id)
    copy = registry.copy_as_draft(session, experiment, g.agent.id)
    session.commit()
    flash(_("Copie enregistrée comme nouveau brouillon, avec un nouveau tirage."), "success")
    return redirect(url_for("backoffice.experiment", experiment_id=copy.id), 303)


@blueprint.get("/experiences/<int:experiment_id>/preinscription")
@admin_required
def experiment_registration(experiment_id: int):
    experiment = _experiment(experiment_id)
    if experiment.registration is None:
        abort(404)
    analysis_date, launched_at = queries.frozen_dates(experiment.registration)
    return render_template("backoffice/experiment_registration.html", experiment=experiment,
                           registration=experiment.registration, analysis_date=analysis_date,
                           launched_at=launched_at,
                           launched_on=clock.local_date(launched_at) if launched_at else None,
                           mde=queries.experiment_mde(experiment),
                           canonical=registry.canonical_json(experiment.registration),
                           metrics=METRICS, variants=_variants())  # fmt: skip


@blueprint.get("/experiences/<int:experiment_id>/analyse")
@admin_required
def experiment_analysis(experiment_id: int):
    session, experiment = db.session(), _experiment(experiment_id)
    if experiment.status == "draft":
        abort(404)
    today = clock.local_date()
    return render_template(
        "backoffice/experiment_analysis.html", experiment=experiment,
        health=queries.health(session, experiment, today),
        visible=queries.results_visible(experiment, today),
        analysis=queries.analysis(session, experiment, current_app.config["SECRET_KEY"]),
        mde=queries.experiment_mde(experiment), metrics=METRICS, variants=_variants(),
        notes=ANALYSIS_NOTES,
    )  # fmt: skip


@blueprint.get("/experiences/<int:experiment_id>/unites.csv")
@admin_required
def experiment_units(experiment_id: int):
    experiment = _experiment(experiment_id)
    if not queries.results_visible(experiment, clock.local_date()):
        abort(404)  # the outcomes are results: hidden before the analysis date too
    rows = queries.export_units(db.session(), experiment, current_app.config["SECRET_KEY"])
    return Response(
        "\ufeff" + units_csv(rows), mimetype="text/csv",
        headers={"Content-Disposition":
                 f'attachment; filename="experience-{experiment.id}-unites.csv"'},
    )  # fmt: skip
