"""Input bounds at the edge: what a stranger sends is checked before any query (issue 12).

- Ids: the tables' primary keys are `integer` on PostgreSQL (int4), so an id beyond
  `MAX_ID` can name nothing; `<int:…>` in a route answers 404 beyond it
  (`BoundedIntegerConverter`, registered for the whole app), and posted ids or cursors
  are read with `parse_id`.
- Text: PostgreSQL refuses NUL in text, and no field of the portal has a use for control
  characters; `PortalForm` refuses them (`has_control_characters`), before validation;
  imports drop them from the file's cells (`without_control_characters`).
"""

from __future__ import annotations

import re

from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's `integer`
MAX_BIG_ID = 2**63 - 1  # `bigint` (the `BigId` of the logs)

# C0 controls, DEL and C1 controls; the bidirectional embeddings, overrides and isolates
# (U+202A–U+202E, U+2066–U+2069), which make text display in another order than it reads
# (a name or a note shown reversed to an agent); lone surrogates, which no encoding carries.
# Multi-line text keeps tab, line feed and carriage return. Left alone: the direction marks
# (U+200E, U+200F), no-break spaces, joiners: text in any script needs them.
_OTHERS = "\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROL = re.compile(f"[\x00-\x1f{_OTHERS}]")
_CONTROL_MULTILINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_OTHERS}]")


class BoundedIntegerConverter(IntegerConverter):
    """Flask's `int` converter, at most `MAX_ID`: a larger id is a 404, not a database error."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        bounded = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bounded, signed=signed)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body nested too deeply for the parser (100,000 `[`) is
    unparseable like any bad JSON (`request.get_json` fails with a 400, or gives None when
    `silent`), not a RecursionError."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error


def parse_id(value: object, maximum: int = MAX_ID) -> int | None:
    """A positive id a table can hold (at most `maximum`), from a string of ASCII digits;
    None otherwise."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    if len(value) > 19:  # beyond any `bigint`, and no long string converted
        return None
    number = int(value)
    return number if 0 < number <= maximum else None


def has_control_characters(value: str, multiline: bool = False) -> bool:
    return bool((_CONTROL_MULTILINE if multiline else _CONTROL).search(value))


def without_control_characters(value: str) -> str:
    """The text without the characters `has_control_characters` refuses (tab and line
    breaks kept): for what arrives in files, where refusing a whole row for them would lose
    more than they carry."""
    return _CONTROL_MULTILINE.sub("", value)
