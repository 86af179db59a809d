"""The guidance content, loaded and validated once when the app starts."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app

from portal.experiments.wordings import letter_variants, page_variants
from portal.models.experiment import EXPERIMENT_PAGES
from portal.precisions import load_mapping
from portal.rules import Content, load_content
from portal.rules.yamlfile import ContentError


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[Content, dict]:
    content = load_content(path)
    letter_variants(path)  # the wording variants experiments use, checked too
    for page in EXPERIMENT_PAGES:
        if not page_variants(path, page):
            raise ContentError(Path(path) / "pages" / f"{page}.yaml", None,
                               "missing: the owner's page prints its texts from it")  # fmt: skip
    return content, load_mapping(content, Path(path))


def init_content(app: Flask) -> None:
    """Refuse to start with malformed content: the error names the file and the line."""
    content, precisions = _load(app.config["GUIDANCE_CONTENT_PATH"])
    app.extensions["content"], app.extensions["zlv_precisions"] = content, precisions


def current_content() -> Content:
    return current_app.extensions["content"]


def current_precision_mapping() -> dict:
    """guidance_content/zlv_precisions.yaml, checked (see portal.backoffice.precisions)."""
    return current_app.extensions["zlv_precisions"]
