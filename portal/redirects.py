"""Where to go back to after a step: a local path from `?next=`, never another site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, fallback: str = "public.home") -> str:
    """A local path to go back to; anything pointing elsewhere gives the fallback page."""
    parts = urlsplit(target or "")
    if (
        not target
        or parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return url_for(fallback)
    return target
