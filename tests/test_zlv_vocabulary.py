"""Every ZLV label the portal writes equals ZLV's own, byte for byte (typographic
apostrophes included), against a copy of ZLV's lists kept as test data with the commit they
were read from (tests/fixtures/zlv/zlv_lists.json). When ZLV changes a label, refresh that
file from ZLV's repository (the files it names) and this test shows what to change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal.backoffice.answer_forms import CATEGORY_TITLES
from portal.models.zlv import (
    CAMPAIGN_STATUSES,
    OCCUPANCIES,
    OCCUPANCIES_READ_ONLY,
    PRECISIONS,
    STATUSES,
)

ZLV = json.loads((Path(__file__).parent / "fixtures/zlv/zlv_lists.json").read_text("utf-8"))


def test_the_copy_names_the_commit_it_comes_from():
    assert ZLV["commit"].startswith("e2cca5479e87")
    assert ZLV["source"] == "https://github.com/MTES-MCT/zero-logement-vacant"


def test_statuses_and_sub_statuses_are_zlvs_in_zlvs_order():
    ours = [
        {"id": status, "label": label, "sub_statuses": list(subs)}
        for status, (label, subs) in STATUSES.items()
    ]
    assert ours == ZLV["statuses"]


def test_occupancies_are_zlvs_in_zlvs_order():
    assert list(OCCUPANCIES.items()) == list(ZLV["occupancies"]["read_write"].items())
    assert ZLV["occupancies"]["read_only"] == OCCUPANCIES_READ_ONLY


def test_precisions_are_zlvs_in_zlvs_order():
    assert {category: list(labels) for category, (_f, labels) in PRECISIONS.items()} == (
        ZLV["precisions"]
    )
    assert list(PRECISIONS) == list(ZLV["precisions"])
    assert set(CATEGORY_TITLES) == set(ZLV["precisions"])


def test_campaign_states_are_zlvs():
    assert ZLV["campaign_statuses"] == CAMPAIGN_STATUSES


@pytest.mark.parametrize("label", [
    label
    for labels in (
        [s["label"] for s in ZLV["statuses"]],
        [sub for s in ZLV["statuses"] for sub in s["sub_statuses"]],
        [label for labels in ZLV["precisions"].values() for label in labels],
        list(ZLV["occupancies"]["read_write"].values()),
        list(ZLV["campaign_statuses"].values()),
    )
    for label in labels
    if "'" in label or "’" in label
])  # fmt: skip
def test_apostrophes_are_as_zlv_writes_them(label):
    """ZLV mixes both: « N’habite pas » but « N'était pas vacant ». Ours follow each."""
    ours = {
        *(label for label, _subs in STATUSES.values()),
        *(sub for _label, subs in STATUSES.values() for sub in subs),
        *(label for _f, labels in PRECISIONS.values() for label in labels),
        *OCCUPANCIES.values(),
        *CAMPAIGN_STATUSES.values(),
    }
    assert label in ours
