"""The recipient's postal address block, as French mail sorting machines read it.

AFNOR NF Z10-011 (postal address), as La Poste summarises it: at most 6 lines of at most
38 characters (spaces included), no blank lines, aligned left, from the addressee's name
down to the last line "POSTCODE TOWN"; abbreviate a street name only when it is too long.

`postal_block()` returns the lines to print and the problems found, as codes the back-office
words itself, so that a campaign can flag the addresses a person should look at.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

MAX_LINES, MAX_CHARACTERS = 6, 38

# Problems, as codes.
NO_POSTCODE_LINE = "no_postcode_line"  # the last line is not "POSTCODE TOWN"
TOO_MANY_LINES = "too_many_lines"  # more than 6: lines were joined or dropped
LINE_SHORTENED = "line_shortened"  # a line longer than 38 characters was abbreviated or cut
NO_STREET_LINE = "no_street_line"  # nothing between the name and the town
NO_NAME = "no_name"

# La Poste's abbreviations of the words that make street names long (its "libellés
# abrégés" list, shortened to the frequent ones); used only on a line that is too long.
ABBREVIATIONS = {
    "ALLEE": "ALL", "APPARTEMENT": "APT", "AVENUE": "AV", "BATIMENT": "BAT",
    "BOULEVARD": "BD", "CHEMIN": "CHE", "DOCTEUR": "DR", "ESCALIER": "ESC",
    "FAUBOURG": "FG", "GENERAL": "GAL", "IMPASSE": "IMP", "LIEU-DIT": "LD",
    "LOTISSEMENT": "LOT", "MARECHAL": "MAL", "PLACE": "PL", "PRESIDENT": "PDT",
    "QUARTIER": "QUA", "RESIDENCE": "RES", "ROUTE": "RTE", "SAINT": "ST", "SAINTE": "STE",
    "SQUARE": "SQ",
}  # fmt: skip
_POSTCODE_LINE = re.compile(r"^(\d{2}) ?(\d{3}) +(\S.*)$")


class PostalBlock(NamedTuple):
    lines: list[str]
    problems: list[str]


def postal_block(name: str, address_lines: Iterable[str]) -> PostalBlock:
    """The lines to print in the envelope's window, and the problems found."""
    problems: list[str] = []
    name = _clean(name)
    lines = [line for line in map(_clean, address_lines) if line]
    if lines and lines[-1].upper() == "FRANCE" and len(lines) > 1:
        lines.pop()  # a French address does not name the country
    if lines and (match := _POSTCODE_LINE.match(lines[-1])):
        lines[-1] = f"{match[1]}{match[2]} {match[3]}"
    else:
        problems.append(NO_POSTCODE_LINE)
    if not name:
        problems.append(NO_NAME)
    if len(lines) < 2:
        problems.append(NO_STREET_LINE)
    block = [name] if name else []
    block += lines
    block = _deduplicated(block)
    shortened, block = _shortened(block)
    if len(block) > MAX_LINES:
        problems.append(TOO_MANY_LINES)
        block = _fewer(block)
    if shortened:
        problems.append(LINE_SHORTENED)
    return PostalBlock(block, problems)


def _clean(line: object) -> str:
    return " ".join(unicodedata.normalize("NFC", str(line or "")).split())


def _deduplicated(lines: list[str]) -> list[str]:
    kept: list[str] = []
    for line in lines:
        if not kept or kept[-1].casefold() != line.casefold():
            kept.append(line)
    return kept


def _shortened(lines: list[str]) -> tuple[bool, list[str]]:
    """Lines longer than 38 characters: abbreviated (not the name), else split in two while
    the block has room (a street's complement), else cut at a space."""
    shortened, result = False, []
    room = MAX_LINES - len(lines)
    for index, line in enumerate(lines):
        if len(line) <= MAX_CHARACTERS:
            result.append(line)
            continue
        shortened = True
        if index:  # a name is not abbreviated
            line = _abbreviated(line)
        last = index == len(lines) - 1
        if len(line) > MAX_CHARACTERS and room > 0 and index > 0 and not last:
            head, tail = _cut(line)
            if len(tail) <= MAX_CHARACTERS:
                result += [head, tail]
                room -= 1
                continue
        result.append(_cut(line)[0] if len(line) > MAX_CHARACTERS else line)
    return shortened, result


def _abbreviated(line: str) -> str:
    words = line.split(" ")
    for index, word in enumerate(words):
        plain = "".join(
            c for c in unicodedata.normalize("NFD", word.upper()) if not unicodedata.combining(c)
        )
        if plain in ABBREVIATIONS:
            words[index] = ABBREVIATIONS[plain]
            if len(" ".join(words)) <= MAX_CHARACTERS:
                break
    return " ".join(words)


def _cut(line: str) -> tuple[str, str]:
    """The longest head of at most 38 characters ending at a space, and the rest."""
    space = line.rfind(" ", 0, MAX_CHARACTERS + 1)
    if space <= MAX_CHARACTERS // 2:  # no sensible place: cut the word
        return line[:MAX_CHARACTERS], line[MAX_CHARACTERS:].strip()
    return line[:space], line[space + 1 :]


def _fewer(lines: list[str]) -> list[str]:
    """Six lines out of more: the first (the name) and the last (the town) are kept; two
    neighbouring lines between them that fit on one line are joined, else the one nearest
    the name is dropped (street and town matter most for delivery)."""
    lines = list(lines)
    while len(lines) > MAX_LINES:
        pairs = [
            (len(lines[i]) + len(lines[i + 1]), i)
            for i in range(1, len(lines) - 2)
            if len(lines[i]) + 1 + len(lines[i + 1]) <= MAX_CHARACTERS
        ]
        if pairs:
            _, i = min(pairs)
            lines[i : i + 2] = [f"{lines[i]} {lines[i + 1]}"]
        else:
            del lines[1]
    return lines
