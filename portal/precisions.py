"""What owners' answers suggest in ZLV's précisions: guidance_content/zlv_precisions.yaml
(optional: a content tree without it suggests no précision).

Loaded and checked once with the content: every label must be exactly one of ZLV's
(portal.models.zlv.PRECISIONS), every blocker an option of the "blockers" question and
every aid an aid of the content, or the portal refuses to start (ContentError).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from portal.models.zlv import is_precision
from portal.rules import Content
from portal.rules.yamlfile import ContentError

FILE = "zlv_precisions.yaml"
Precision = tuple[str, str]  # (category, label)


def load_mapping(content: Content, folder: Path) -> dict[str, dict[str, Precision]]:
    path = folder / FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    blockers = content.questions.get("blockers")
    known = {
        "blockers": blockers.values if blockers else frozenset(),
        "aids": frozenset(content.aids),
    }
    mapping: dict[str, dict[str, Precision]] = {}
    for section, allowed in known.items():
        mapping[section] = {}
        for key, entry in (data.get(section) or {}).items():
            if key not in allowed:
                raise ContentError(path, None, f"{section}.{key} is not in the content")
            category, label = entry.get("category"), entry.get("label")
            if not is_precision(category, label):
                message = f"{section}.{key}: {category} › {label!r} is not a ZLV précision"
                raise ContentError(path, None, message)
            mapping[section][key] = (category, label)
    return mapping


def suggested_precisions(
    mapping: dict[str, dict[str, Precision]], answers: dict, aids_seen: Iterable[str]
) -> list[Precision]:
    """The précisions the owner's blockers and the aids they saw map to, without repeats."""
    found: list[Precision] = []
    for blocker in answers.get("blockers") or []:
        if blocker in mapping["blockers"]:
            found.append(mapping["blockers"][blocker])
    for slug in aids_seen:
        if slug in mapping["aids"]:
            found.append(mapping["aids"][slug])
    return list(dict.fromkeys(found))
