"""The wording variants an experiment's arms can use, as content (guidance_content/).

Letters: `letters/variants.yaml` lists the variants, each with the behavioural lever it tests,
a label and a description in French and English; its text is `letters/<slug>.<locale>.md`
(first line the subject, then the body with ZLV's merge fields, as the standard letter).
A collectivité's own wording of a variant (LetterTemplate) replaces the portal's text.

Pages: `pages/<page>.yaml` (page = landing or results) lists the variants of that page's
texts: `{variants: {slug: {lever, label, description, texts: {fr: {key: text}, en: {...}}}}}`.
Every variant defines the same keys as `standard` (the control), in both locales.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from portal.rules.yamlfile import ContentError, line_of, read_yaml

LOCALES = ("fr", "en")
CONTROL = "standard"
# The behavioural levers a variant may name (the DITP/BIT letter trials: simplification,
# social norms, loss framing, identity, fresh start...).
LEVERS = ("control", "simplification", "social_norm", "loss_aversion", "local_pride",
          "fresh_start", "reciprocity", "authority")  # fmt: skip


@dataclass(frozen=True)
class Wording:
    slug: str
    lever: str
    label: dict[str, str]  # locale → text
    description: dict[str, str]
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # pages: locale → key → text

    def label_in(self, locale: str) -> str:
        return self.label.get(locale) or self.label["fr"]

    def text(self, key: str, locale: str) -> str:
        return (self.texts.get(locale) or self.texts["fr"])[key]


def _localised(node, path: Path, what: str) -> dict[str, str]:
    if not isinstance(node, dict) or any(not isinstance(node.get(loc), str) or not node[loc]
                                         for loc in LOCALES):  # fmt: skip
        raise ContentError(path, line_of(node), f"{what} needs a text in fr and en")
    return {loc: node[loc] for loc in LOCALES}


def _entry(slug, node, path: Path) -> tuple[str, str, dict, dict]:
    if not isinstance(slug, str) or not slug.replace("-", "").replace("_", "").isalnum():
        raise ContentError(path, line_of(node), f"variant name {slug!r}: letters, digits, - or _")
    if len(slug) > 40:
        raise ContentError(path, line_of(node), f"variant name {slug!r}: 40 characters at most")
    if not isinstance(node, dict):
        raise ContentError(path, None, f"variant {slug!r} must be a mapping")
    lever = node.get("lever")
    if lever not in LEVERS:
        raise ContentError(path, line_of(node), f"variant {slug!r}: lever must be one of "
                                                + ", ".join(LEVERS))  # fmt: skip
    label = _localised(node.get("label"), path, f"variant {slug!r}: label")
    description = _localised(node.get("description"), path, f"variant {slug!r}: description")
    return slug, lever, label, description


@lru_cache(maxsize=8)
def letter_variants(content_root: str | Path) -> dict[str, Wording]:
    """The letter variants, the control first; each has its text in every locale."""
    root = Path(content_root) / "letters"
    path = root / "variants.yaml"
    data = read_yaml(path) if path.exists() else {CONTROL: None}
    if not isinstance(data, dict) or CONTROL not in data:
        raise ContentError(path, None, f"the control letter {CONTROL!r} must be listed")
    if data[CONTROL] is None:  # no variants.yaml: the standard letter alone
        return {CONTROL: Wording(CONTROL, "control", {"fr": "Courrier habituel",
                                                      "en": "Usual letter"}, {})}  # fmt: skip
    variants = {}
    for slug, node in data.items():
        slug, lever, label, description = _entry(slug, node, path)
        for locale in LOCALES:
            if not (root / f"{slug}.{locale}.md").exists():
                missing = f"variant {slug!r}: {slug}.{locale}.md is missing"
                raise ContentError(path, line_of(node), missing)
        variants[slug] = Wording(slug, lever, label, description)
    return {CONTROL: variants.pop(CONTROL), **variants}


@lru_cache(maxsize=8)
def page_variants(content_root: str | Path, page: str) -> dict[str, Wording]:
    """A page's text variants, the control first; {} when the page has none."""
    path = Path(content_root) / "pages" / f"{page}.yaml"
    if not path.exists():
        return {}
    data = read_yaml(path)
    nodes = data.get("variants") if isinstance(data, dict) else None
    if not isinstance(nodes, dict) or CONTROL not in nodes:
        raise ContentError(path, line_of(data), f"variants: the control {CONTROL!r} is missing")
    variants, keys = {}, None
    for slug, node in nodes.items():
        slug, lever, label, description = _entry(slug, node, path)
        texts = node.get("texts")
        if not isinstance(texts, dict) or any(not isinstance(texts.get(loc), dict)
                                              for loc in LOCALES):  # fmt: skip
            raise ContentError(path, line_of(node), f"variant {slug!r}: texts in fr and en")
        for locale in LOCALES:
            found = set(texts[locale])
            keys = found if keys is None else keys
            if found != keys or any(not isinstance(v, str) or not v
                                    for v in texts[locale].values()):  # fmt: skip
                raise ContentError(path, line_of(texts[locale], line_of(node)),
                                   f"variant {slug!r} ({locale}): texts must be "
                                   f"{', '.join(sorted(keys))}, each non-empty")  # fmt: skip
        variants[slug] = Wording(slug, lever, label, description,
                                 {loc: dict(texts[loc]) for loc in LOCALES})  # fmt: skip
    return {CONTROL: variants.pop(CONTROL), **variants}


def all_variants(content_root: str | Path) -> dict[str, Wording]:
    """Every wording an arm may use, by slug: the letter's, then the pages' (for labels)."""
    found = dict(letter_variants(str(content_root)))
    for page in ("landing", "results"):
        for slug, wording in page_variants(str(content_root), page).items():
            found.setdefault(slug, wording)
    return found
