"""Phone numbers: what owners and agents type, what is stored, how it is written back.

One rule for the whole portal. Separators people type (spaces, dots, dashes, brackets,
non-breaking spaces) are dropped, then a number is either

- French: 0, +33 or 0033 followed by nine digits, the first not 0 ("06 12 34 56 78",
  "+33 6 12 34 56 78"); written back the French way, "06 12 34 56 78";
- international: "+", a country code other than 33 and 7 to 15 digits in all
  ("+44 20 7946 0958"); written back compact, "+442079460958".

Owners' call-back requests accept both and keep the compact form as typed
(`PhoneNumber.compact`); the collectivité's contact points and partners take French
numbers only and keep the French writing (`PhoneNumber.national`); the export writes French
numbers the French way and any other as it was stored (`written_phone`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wtforms.validators import ValidationError

SEPARATORS = re.compile(r"[\s.\-()\u00a0\u202f]")
PHONE = re.compile(r"^(?:(?:\+33|0033|0)(?P<french>[1-9]\d{8})|\+(?!33)[1-9]\d{6,14})$")


@dataclass(frozen=True)
class PhoneNumber:
    compact: str  # as typed, without separators: "0612345678", "+33612345678"
    french: str | None  # a French number's nine digits after 0 / +33 / 0033, else None

    @property
    def national(self) -> str | None:
        """A French number as the French write it, "06 12 34 56 78"; None for any other."""
        if self.french is None:
            return None
        digits = "0" + self.french
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))

    @property
    def written(self) -> str:
        """The number for a reader: French numbers the French way, others compact."""
        return self.national or self.compact


def parse_phone(typed: str | None) -> PhoneNumber | None:
    """The phone number typed, or None when it cannot be one."""
    compact = SEPARATORS.sub("", typed or "")
    match = PHONE.match(compact)
    return PhoneNumber(compact, match.group("french")) if match else None


def written_phone(stored: str | None) -> str | None:
    """A stored number for a reader: a French one as "06 12 34 56 78", any other (a
    foreign number, something an import left as it was) unchanged; None when empty."""
    number = parse_phone(stored)
    if number is not None and number.french is not None:
        return number.written
    return stored or None


class ValidPhone:
    """A WTForms validator: the field holds a phone number (a French one if `french_only`);
    an empty field is left to Optional / InputRequired."""

    def __init__(self, message: str, french_only: bool = False) -> None:
        self.message = message
        self.french_only = french_only

    def __call__(self, _form, field) -> None:
        if not field.data:
            return
        number = parse_phone(field.data)
        if number is None or (self.french_only and number.french is None):
            raise ValidationError(self.message)
