"""Relations between aids, declared in their files:

    alternatives: [slug, …]   the same works by another route: one or the other, never both
                              (symmetric: declared on either side, known on both)
    requires: [slug, …]       this aid only comes with those (the vacancy premium requires
                              the Anah's landlord grant)

At load, `link` refuses an unknown slug, an aid naming itself and a cycle of requirements,
with the file and line. At evaluation, `apply_requirements` makes an aid whose requirement
is not applicable not applicable, and an applicable aid whose requirement is undetermined
undetermined, each with a line of its trace saying which requirement.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from portal.rules.conditions import FALSE, UNKNOWN, Clause
from portal.rules.model import Aid, Text
from portal.rules.yamlfile import ContentError

KEYS = ("alternatives", "requires")


def read(reader, key: str) -> tuple[str, ...]:
    """The slugs an aid's file lists under `key` (checked against the others by `link`)."""
    slugs = reader.get(key, list, False, [])
    if not all(isinstance(slug, str) for slug in slugs):
        reader.fail(f"{key!r} lists aids by their slug", slugs)
    return tuple(slugs)


def link(aids: dict[str, Aid], known: dict[str, Aid], lines: dict[tuple[str, str], int | None]):
    """`aids` with their alternatives made symmetric, once every slug they name is checked
    against `known` (the aids `aids` may refer to, themselves included). `lines` gives the
    line of each (slug, key) list, for the error."""

    def fail(aid: Aid, key: str, message: str):
        raise ContentError(aid.path, lines.get((aid.slug, key)), f"{aid.slug}: {message}")

    for aid in aids.values():
        for key in KEYS:
            for slug in getattr(aid, key):
                if slug == aid.slug:
                    fail(aid, key, f"'{key}' names the aid itself")
                if slug not in known:
                    fail(aid, key, f"'{key}' names an unknown aid {slug!r}")
    linked = dict(aids)
    for aid in aids.values():
        for slug in aid.alternatives:
            if slug in linked and aid.slug not in linked[slug].alternatives:
                other = linked[slug]
                linked[slug] = dataclasses.replace(other, alternatives=(*other.alternatives,
                                                                        aid.slug))  # fmt: skip
    everything = {**known, **linked}
    for aid in linked.values():
        cycle = _cycle(aid.slug, everything, ())
        if cycle:
            fail(aid, "requires", "a cycle of requirements: " + " → ".join(cycle))
    return linked


def _cycle(slug: str, aids: dict[str, Aid], path: tuple[str, ...]) -> tuple[str, ...] | None:
    if slug in path:
        return (*path[path.index(slug) :], slug)
    for required in aids[slug].requires:
        found = _cycle(required, aids, (*path, slug))
        if found:
            return found
    return None


def order(aids: Iterable[Aid]) -> list[str]:
    """Slugs, each after the aids it requires (there is no cycle: `link` refused them)."""
    by_slug = {aid.slug: aid for aid in aids}
    ordered: list[str] = []

    def visit(slug: str) -> None:
        if slug in ordered or slug not in by_slug:
            return
        for required in by_slug[slug].requires:
            visit(required)
        ordered.append(slug)

    for slug in by_slug:
        visit(slug)
    return ordered


def apply_requirements(recommendations: list, wording: dict[str, Text]) -> None:
    """Each recommendation (portal.rules.evaluate.Recommendation) as its requirements allow,
    in place."""
    by_slug = {r.slug: r for r in recommendations}
    for slug in order(r.aid for r in recommendations):
        recommendation = by_slug[slug]
        if recommendation.status == "not_applicable":
            continue
        for required_slug in recommendation.aid.requires:
            required = by_slug[required_slug]
            explain = {locale: text.format(title=required.aid.title[locale])
                       for locale, text in wording["requires"].items()}  # fmt: skip
            clause = Clause(None, "requires", required_slug, explain)
            if required.status == "not_applicable":
                recommendation.status = "not_applicable"
                recommendation.trace.append((clause, FALSE))
                break
            if required.status == "undetermined":
                recommendation.status = "undetermined"
                recommendation.trace.append((clause, UNKNOWN))
                recommendation.missing = tuple(dict.fromkeys(
                    (*recommendation.missing, *required.missing)))  # fmt: skip
