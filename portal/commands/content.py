"""`portal content check` and `portal rules eval FILE.json`."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.rules import (
    ContentError,
    InputError,
    evaluate,
    load_content,
    present,
    validate_answers,
    validate_context,
)
from portal.rules.examples import run_example


@click.group()
def content() -> None:
    """The guidance content (guidance_content/)."""


@content.command()
@with_appcontext
@click.option("--path", help="Content folder (default: GUIDANCE_CONTENT_PATH).")
def check(path: str | None) -> None:
    """Validate every content file, then run every example."""
    root = path or current_app.config["GUIDANCE_CONTENT_PATH"]
    try:
        loaded = load_content(root)
    except ContentError as error:
        raise click.ClickException(str(error)) from None
    failures = 0
    for example in loaded.examples:
        problems = run_example(loaded, example)
        if problems:
            failures += 1
            click.echo(f"FAIL {example['path']}: {example['name']}", err=True)
            for problem in problems:
                click.echo(f"     {problem}", err=True)
    click.echo(
        f"{len(loaded.questions)} questions, {len(loaded.aids)} aids, "
        f"{len(loaded.parameters)} parameters, {len(loaded.locals)} local files: valid."
    )
    click.echo(f"{len(loaded.examples) - failures} passed, {failures} failed")
    if failures:
        sys.exit(1)


@click.group()
def rules() -> None:
    """The rules engine."""


@rules.command(name="eval")
@with_appcontext
@click.argument("situation", type=click.File("r", encoding="utf-8"))
def eval_command(situation) -> None:
    """Evaluate SITUATION (a JSON file, or - for standard input) and print the result as
    JSON, in the API's shape: {"answers": {…}, "context": {…}, "as_of", "locale"}."""
    try:
        body = json.load(situation)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"not JSON: {error}") from None
    if not isinstance(body, dict):
        raise click.ClickException('expected a JSON object {"answers": …, "context": …}')
    loaded = current_app.extensions["content"]
    try:
        answers = validate_answers(loaded, body.get("answers", {}))
        context = validate_context(loaded, body.get("context"))
        as_of = dt.date.fromisoformat(body["as_of"]) if body.get("as_of") else dt.date.today()
    except InputError as error:
        raise click.ClickException(json.dumps(error.errors, ensure_ascii=False)) from None
    except (TypeError, ValueError):
        raise click.ClickException("as_of: must be a date, YYYY-MM-DD") from None
    locale = body.get("locale", "fr") if body.get("locale") in ("fr", "en") else "fr"
    local = loaded.locals.get(str(body.get("collectivite"))) if body.get("collectivite") else None
    result = present(evaluate(loaded, answers, context, as_of, local), loaded, locale)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))
