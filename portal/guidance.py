"""The guidance content, loaded and validated once when the app starts."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, current_app

from portal.rules import Content, load_content


@lru_cache(maxsize=4)
def _load(path: str) -> Content:
    return load_content(path)


def init_content(app: Flask) -> None:
    """Refuse to start with malformed content: the error names the file and the line."""
    app.extensions["content"] = _load(app.config["GUIDANCE_CONTENT_PATH"])


def current_content() -> Content:
    return current_app.extensions["content"]
