"""The owner's results in words, shaped for a phone: what fits best, then one route per card.

`results_in_words` turns an evaluation into what the results page and the PDF summary show,
in the same order, so that both keep the same structure:

- `best`: the first applicable route (the three lines at the top of the page), `others` how
  many other routes follow;
- `advice`: the applicable advice (kind "advice"), shown first, as notices;
- `routes`: one entry per route, best first; a route is one aid, or aids that are
  alternatives for the same works (one choice, never a sum), with the aids that only come
  with one of them (`requires`) placed after it, saying which;
- `costs`: what an empty dwelling costs, at the end.

An aid's reasons are the conditions it meets, in the owner's words; for an aid to check, the
conditions still unknown, "to check with" its first contact. An unmet condition is never
given as a reason.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from portal.rules import present

SHOWN = ("applicable", "undetermined")
MAX_REASONS = 3  # a card stays short; the aid's public page lists every condition


def results_in_words(evaluation, content, locale: str) -> dict:
    return arrange(present(evaluation, content, locale)["recommendations"])


def arrange(recommendations: list[dict]) -> dict:
    """The presented recommendations (`present`'s, ranked) as the results show them."""
    items = [with_reasons(r) for r in recommendations if r["status"] in SHOWN]
    advice = [r for r in items if r["kind"] == "advice" and r["status"] == "applicable"]
    costs = [r for r in items if r["kind"] == "cost" and r["status"] == "applicable"]
    candidates = [r for r in items if r not in advice and r not in costs and r["kind"] != "cost"]
    routes = group_routes(candidates)
    best = next(
        (item for route in routes for item in route["items"] if item["status"] == "applicable"),
        None,
    )
    others = sum(len(route["items"]) + len(route["companions"]) for route in routes)
    return {
        "best": best,
        "others": others - 1 if best else others,
        "advice": advice,
        "routes": routes,
        "costs": costs,
    }


def with_reasons(item: dict) -> dict:
    """The presented aid, with its reasons for the owner: `why` (conditions met), `to_check`
    (conditions still unknown, for an aid to check), `check_with` (who to check them with)
    and `to_verify` (to check, or from sources not all official)."""
    met = [reason["text"] for reason in item["reasons"] if reason["met"] is True]
    unknown = [reason["text"] for reason in item["reasons"] if reason["met"] is None]
    to_check = unknown[: MAX_REASONS - 1] if item["status"] == "undetermined" else []
    if item["status"] == "undetermined" and not to_check and item["missing"]:
        to_check = [_("Une de vos réponses reste à préciser")]
    contacts = item["contacts"]
    return {
        **item,
        "comes_with": [],
        "opens": [],
        "why": met[: MAX_REASONS - len(to_check)],
        "to_check": to_check,
        "check_with": contacts[0]["label"] if contacts else _("un conseiller"),
        "to_verify": item["status"] == "undetermined" or item["confidence"] != "ok",
        "sources": [
            {**source, "checked": date.fromisoformat(source["checked_on"])}
            for source in item["sources"]
        ],
        "alternatives": list(item.get("alternatives", [])),
        "requires": list(item.get("requires", [])),
    }


def group_routes(items: list[dict]) -> list[dict]:
    """The routes in ranked order: alternatives joined into one choice at the place of the
    best of them; an aid that requires another shown aid follows the route of that aid."""
    by_slug = {item["slug"]: item for item in items}
    companions_of: dict[str, list[dict]] = {}
    for item in items:
        host = next((slug for slug in item["requires"] if slug in by_slug), None)
        if host is not None and host != item["slug"]:
            companions_of.setdefault(host, []).append(item)
    placed = {c["slug"] for companions in companions_of.values() for c in companions}
    groups = alternative_groups([item for item in items if item["slug"] not in placed])
    routes, done = [], set()
    for item in items:
        if item["slug"] in done or item["slug"] in placed:
            continue
        members = [by_slug[slug] for slug in groups.get(item["slug"], [item["slug"]])]
        done.update(member["slug"] for member in members)
        companions = [c for member in members for c in companions_of.get(member["slug"], [])]
        for member in members:
            member["opens"] = [c["title"] for c in companions_of.get(member["slug"], [])]
        for companion in companions:
            hosts = [by_slug[slug]["title"] for slug in companion["requires"] if slug in by_slug]
            companion["comes_with"] = hosts
        heading = choice_heading(len(members))
        routes.append({"heading": heading, "text": choice_text() if heading else None,
                       "items": members, "companions": companions})  # fmt: skip
    return routes


def alternative_groups(items: list[dict]) -> dict[str, list[str]]:
    """slug → the shown aids of its group of alternatives (itself included), in ranked
    order; the relation is taken as symmetric and transitive, whichever side declares it.
    An aid placed with the aid it requires is left out of the groups."""
    order = [item["slug"] for item in items]
    parent = {slug: slug for slug in order}

    def root(slug: str) -> str:
        while parent[slug] != slug:
            slug = parent[slug]
        return slug

    for item in items:
        for other in item["alternatives"]:
            if other in parent:
                parent[root(other)] = root(item["slug"])
    members: dict[str, list[str]] = {}
    for slug in order:
        members.setdefault(root(slug), []).append(slug)
    return {slug: members[root(slug)] for slug in order if len(members[root(slug)]) > 1}


def choice_heading(count: int) -> str | None:
    """« Deux façons de financer vos travaux : l’une ou l’autre »: a choice, never a sum."""
    if count < 2:
        return None
    if count == 2:
        return _("Deux façons de financer vos travaux : l’une ou l’autre")
    words = {3: _("Trois"), 4: _("Quatre")}
    return _(
        "%(count)s façons de financer vos travaux : une seule d’entre elles",
        count=words.get(count, str(count)),
    )


def choice_text() -> str:
    return _(
        "Ces aides paient les mêmes travaux : vous choisirez l’une d’elles avec le conseiller. "
        "Leurs montants ne s’additionnent pas."
    )
