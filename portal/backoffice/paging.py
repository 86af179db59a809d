"""The DSFR pagination's links for a back-office list: first, previous, a window of page
numbers (an ellipsis for the others), next, last."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _


def pagination(number: int, pages: int, endpoint: str, **values) -> dict:
    def href(n: int) -> str:
        return url_for(endpoint, page=n, **values)

    window = sorted({1, pages, *range(max(1, number - 2), min(pages, number + 2) + 1)})
    items, previous = [], 0
    for n in window:
        if n > previous + 1:
            items.append(None)  # an ellipsis
        items.append({"number": n, "href": href(n), "current": n == number})
        previous = n
    return {"label": _("Pages de la liste"), "items": items, "pages": pages,
            "first": href(1) if number > 1 else None,
            "previous": href(number - 1) if number > 1 else None,
            "next": href(number + 1) if number < pages else None,
            "last": href(pages) if number < pages else None}  # fmt: skip
