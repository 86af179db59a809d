"""Merge fields of a letter's subject and body: `{{owner.fullName}}` and the like.

The fields are Zéro Logement Vacant's (so a letter written there can be pasted here), plus
three of ours: where the QR block goes, the typed code and the portal's short address.
`check()` refuses a template before any letter is printed; `fill()` never leaves braces in
a letter: a value missing for one recipient prints empty.

The default wording is content (`guidance_content/letters/<name>.<locale>.md`: the subject
on the first line, a blank line, then the body); `load_template()` only reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

ZLV_FIELDS = (
    "owner.fullName",
    "housing.rawAddress",
    "housing.localId",
    "housing.invariant",
    "housing.cadastralReference",
    "housing.plotId",
    "housing.housingKind",
    "housing.livingArea",
    "housing.roomsCount",
    "housing.buildingYear",
    "housing.vacancyStartYear",
    "housing.energyConsumption",
)
QR_CODE, CODE, PORTAL_ADDRESS = "letter.qrCode", "letter.code", "portal.address"
FIELDS = frozenset((*ZLV_FIELDS, QR_CODE, CODE, PORTAL_ADDRESS))
# ZLV's housing kinds, printed as ZLV prints them.
HOUSING_KINDS = {"APPART": "appartement", "MAISON": "maison"}

_FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_NBSP, _NNBSP = "\u00a0", "\u202f"


class TemplateError(ValueError):
    """A template that cannot be printed: `excerpt` shows where."""

    def __init__(self, reason: str, excerpt: str):
        super().__init__(f"{reason}: {excerpt}")
        self.reason, self.excerpt = reason, excerpt


def fields_in(text: str) -> list[str]:
    """The field names used in `text`, in order, each once."""
    return list(dict.fromkeys(_FIELD.findall(text or "")))


def check(template_text: str) -> list[str]:
    """The unknown field names of a template (empty when every field is known).

    Raises TemplateError("unbalanced_braces") for a brace outside a `{{field}}`, and
    TemplateError("qr_code_not_alone") when `{{letter.qrCode}}` shares its paragraph.
    """
    text = template_text or ""
    rest = _FIELD.sub(" ", text)
    stray = re.search(r"[{}]", rest)
    if stray:
        start = max(stray.start() - 20, 0)
        raise TemplateError("unbalanced_braces", rest[start : stray.end() + 20].strip())
    for paragraph in paragraphs(text):
        if QR_CODE in _FIELD.findall(paragraph) and not is_qr_paragraph(paragraph):
            raise TemplateError("qr_code_not_alone", paragraph.strip()[:60])
    return [name for name in fields_in(text) if name not in FIELDS]


def paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; a single line break stays inside one."""
    return [part.strip("\n") for part in re.split(r"\n[ \t]*\n", text or "") if part.strip()]


def is_qr_paragraph(paragraph: str) -> bool:
    match = _FIELD.fullmatch(paragraph.strip())
    return match is not None and match[1] == QR_CODE


def fill(text: str, values: Mapping[str, object]) -> str:
    """`text` with each field replaced by its formatted value; unknown or missing: empty."""
    if "{" not in text:
        return text
    filled = _FIELD.sub(lambda match: format_value(match[1], values.get(match[1])), text)
    return re.sub(r"(?<=\S) {2,}(?=\S)", " ", filled)  # "au  12 rue" when a value is empty


def format_value(name: str, value: object) -> str:
    """A value as printed in a letter."""
    if value is None or value == "":
        return ""
    if name == "housing.housingKind":
        return HOUSING_KINDS.get(str(value).upper(), str(value).lower())
    if name == "housing.livingArea":
        return f"{_number(value)}{_NBSP}m²"
    if isinstance(value, list | tuple):  # an address: "58000 NEVERS" kept on one line
        parts = (re.sub(r"^(\d{5}) ", "\\1" + _NBSP, " ".join(str(p).split())) for p in value)
        return ", ".join(part for part in parts if part)
    if isinstance(value, float):
        return _number(value)
    return " ".join(str(value).split())


def _number(value: object) -> str:
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return str(value)
    return f"{number:.0f}" if number == int(number) else f"{number:.1f}".replace(".", ",")


def french_typography(text: str) -> str:
    """Typographic apostrophes, and no-break spaces where French puts them: before : and
    inside « », narrow ones before ; ! ?. Only spaces already typed are replaced (a URL's
    "https:" is left alone), and nothing inside `{{ }}` changes."""
    parts = re.split(r"(\{\{[^{}]*\}\})", text)  # odd indexes: the fields, left alone
    for index in range(0, len(parts), 2):
        part = re.sub(r"(?<=\w)'(?=\w)", "’", parts[index])
        part = re.sub(r"[ \u00a0\u202f]+([;!?])", _NNBSP + r"\1", part)
        part = re.sub(r"[ \u00a0\u202f]+([:»])", _NBSP + r"\1", part)
        parts[index] = re.sub(r"«[ \u00a0\u202f]*", "«" + _NBSP, part)
    return "".join(parts)


def load_template(content_root: Path, name: str = "standard", locale: str = "fr"):
    """(subject, body) of `letters/<name>.<locale>.md` under the content folder."""
    text = (content_root / "letters" / f"{name}.{locale}.md").read_text(encoding="utf-8")
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip("\n")
