"""The portal's one rule for phone numbers (owners' call-backs, settings, the export)."""

from __future__ import annotations

import pytest
from wtforms import Form
from wtforms.fields import StringField

from portal.phones import ValidPhone, parse_phone, written_phone


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("06 12 34 56 78", "0612345678"), ("+33 6 12 34 56 78", "+33612345678"),
     ("06.12.34.56.78", "0612345678"), ("+44 20 7946 0958", "+442079460958"),
     ("0612", None), ("+33 06 12 34 56 78", None), ("phone", None),
     ("0033 6 12 34 56 78", "0033612345678"), ("", None), (None, None)],
)  # fmt: skip
def test_what_a_call_back_request_stores(typed, expected):
    number = parse_phone(typed)
    assert (number.compact if number else None) == expected


@pytest.mark.parametrize(
    ("typed", "national"),
    [("01 23 45 67 89", "01 23 45 67 89"), ("0123456789", "01 23 45 67 89"),
     ("+33 1 23 45 67 89", "01 23 45 67 89"), ("0033123456789", "01 23 45 67 89"),
     ("01-23-45-67-89", "01 23 45 67 89"), ("(01) 23.45.67.89", "01 23 45 67 89"),
     ("+44 20 7946 0958", None), ("0023456789", None), ("01 23 45 67", None)],
)  # fmt: skip
def test_french_numbers_are_written_the_french_way(typed, national):
    number = parse_phone(typed)
    assert (number.national if number else None) == national


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("+33612345678", "06 12 34 56 78"), ("0612345678", "06 12 34 56 78"),
     ("+447911123456", "+447911123456"), (None, None), ("n’importe quoi", "n’importe quoi"),
     ("0033612345678", "06 12 34 56 78"), ("", None)],
)  # fmt: skip
def test_french_phone_numbers_are_exported_in_national_form(stored, shown):
    assert written_phone(stored) == shown


class PhoneForm(Form):
    anywhere = StringField(validators=[ValidPhone("any")])
    french = StringField(validators=[ValidPhone("french", french_only=True)])


@pytest.mark.parametrize(
    ("data", "errors"),
    [({"anywhere": "+44 20 7946 0958", "french": "01 23 45 67 89"}, {}),
     ({"anywhere": "", "french": ""}, {}),
     ({"anywhere": "12", "french": "+44 20 7946 0958"},
      {"anywhere": ["any"], "french": ["french"]})],
)  # fmt: skip
def test_the_validator_says_each_form_s_message(data, errors):
    form = PhoneForm(data=data)
    form.validate()
    assert form.errors == errors
