"""Issue 13's engine: relations between aids (alternatives, requires), « je ne sais pas »
answers left undetermined, an exclusive option, dates as parameters, conditional priority.
Each on the miniature content tree, changed for the test."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.rules import ContentError, InputError, evaluate, load_content, present
from portal.rules import validate_answers as validate
from portal.rules.present import day_in_words
from tests.rules.conftest import CONTEXT, DAY
from tests.rules.test_load import rewrite

VACANT = {"situation": "vacant", "works": ["roof"], "band": "low"}


def status(evaluation) -> dict[str, str]:
    return {r.slug: r.status for r in evaluation.recommendations}


def with_relations(tree, bonus: str = "", grant: str = ""):
    """The tree with lines added to bonus.yaml and works-grant.yaml."""
    for name, lines in (("bonus", bonus), ("works-grant", grant)):
        path = tree / "aids" / f"{name}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + lines, encoding="utf-8")
    return tree


# --- requires ------------------------------------------------------------------------------


@pytest.fixture
def requiring(content_copy):
    return load_content(with_relations(content_copy, bonus="requires: [works-grant]\n"))


def test_an_aid_whose_requirement_fails_is_not_applicable_and_says_why(requiring):
    evaluation = evaluate(requiring, {**VACANT, "label": "G"}, CONTEXT, DAY)
    assert status(evaluation) == {"bonus": "not_applicable", "works-grant": "not_applicable"}
    bonus = next(r for r in present(evaluation, requiring)["recommendations"]
                 if r["slug"] == "bonus")  # fmt: skip
    assert {"met": False, "text": "Possible seulement avec\u00a0: Subvention travaux"} in (
        bonus["reasons"])  # fmt: skip
    assert bonus["requires"] == ["works-grant"]


def test_an_aid_whose_requirement_is_met_keeps_its_own_status(requiring):
    evaluation = evaluate(requiring, {**VACANT, "label": "A"}, CONTEXT, DAY)
    assert status(evaluation) == {"bonus": "applicable", "works-grant": "applicable"}


def test_an_undetermined_requirement_leaves_the_aid_undetermined(requiring):
    evaluation = evaluate(requiring, VACANT, CONTEXT, DAY)  # the rating is not known yet
    assert status(evaluation) == {"bonus": "undetermined", "works-grant": "undetermined"}
    assert evaluation.get("bonus").missing == ("label",)
    assert evaluation.next_question == "label"


def test_without_the_relation_the_bonus_stands_alone(content):
    evaluation = evaluate(content, {**VACANT, "label": "G"}, CONTEXT, DAY)
    assert status(evaluation)["bonus"] == "applicable"


# --- alternatives ----------------------------------------------------------------------------


def test_alternatives_are_known_on_both_sides(content_copy):
    content = load_content(with_relations(content_copy, grant="alternatives: [bonus]\n"))
    assert content.aids["bonus"].alternatives == ("works-grant",)
    assert content.aids["works-grant"].alternatives == ("bonus",)
    presented = present(evaluate(content, VACANT, CONTEXT, DAY), content)["recommendations"]
    assert {r["slug"]: r["alternatives"] for r in presented} == {
        "bonus": ["works-grant"], "works-grant": ["bonus"]}  # fmt: skip
    assert all(r["requires"] == [] for r in presented)


@pytest.mark.parametrize(
    ("bonus", "grant", "message", "file", "line"),
    [
        ("requires: [grant]\n", "", "'requires' names an unknown aid 'grant'", "bonus", 22),
        ("alternatives: [bonus]\n", "", "'alternatives' names the aid itself", "bonus", 22),
        ("requires: [works-grant]\n", "requires: [bonus]\n",
         "a cycle of requirements: bonus → works-grant → bonus", "bonus", 22),
    ],
)  # fmt: skip
def test_bad_relations_are_refused_with_file_and_line(content_copy, bonus, grant, message,
                                                       file, line):  # fmt: skip
    with pytest.raises(ContentError) as error:
        load_content(with_relations(content_copy, bonus, grant))
    assert message in str(error.value)
    assert error.value.path.endswith(f"aids/{file}.yaml") and error.value.line == line


# --- « je ne sais pas » ----------------------------------------------------------------------


@pytest.fixture
def with_unknown(content_copy):
    rewrite(content_copy / "questions" / "label.yaml",
            '  - {value: G, label: {fr: "G", en: "G"}}\n',
            '  - {value: G, label: {fr: "G", en: "G"}}\n'
            '  - {value: unknown, label: {fr: "Je ne sais pas", en: "I do not know"}, '
            "unknown: true}\n")  # fmt: skip
    return load_content(content_copy)


def test_an_unknown_answer_leaves_the_aid_undetermined_and_is_not_asked_again(with_unknown):
    evaluation = evaluate(with_unknown, {**VACANT, "label": "unknown"}, CONTEXT, DAY)
    assert status(evaluation)["works-grant"] == "undetermined"  # not ruled out
    assert "label" not in evaluation.missing and evaluation.next_question != "label"
    reasons = present(evaluation, with_unknown)["recommendations"]
    grant = next(r for r in reasons if r["slug"] == "works-grant")
    assert {"met": None, "text": "Le logement n’est pas classé G"} in grant["reasons"]


def test_a_condition_naming_the_unknown_answer_tests_it(with_unknown, content_copy):
    rewrite(content_copy / "aids" / "works-grant.yaml",
            "    - not: {var: label, eq: G}",
            "    - not: {var: label, in: [G, unknown]}")  # fmt: skip
    content = load_content(content_copy)
    evaluation = evaluate(content, {**VACANT, "label": "unknown"}, CONTEXT, DAY)
    assert status(evaluation)["works-grant"] == "not_applicable"


# --- an exclusive option ---------------------------------------------------------------------


EXCLUSIVE = '  - {value: none, label: {fr: "Aucun", en: "None"}, exclusive: true}\n'
MESSAGE = 'messages:\n  exclusive: {fr: "« Aucun » seul", en: "None alone"}\n'


@pytest.fixture
def exclusive_tree(content_copy):
    path = content_copy / "questions" / "works.yaml"
    rewrite(path, '  - {value: none, label: {fr: "Aucun", en: "None"}}\n', EXCLUSIVE)
    rewrite(
        path, "messages:\n", 'messages:\n  exclusive: {fr: "« Aucun » seul", en: "None alone"}\n'
    )
    return content_copy


def test_the_exclusive_option_is_alone_or_refused(exclusive_tree):
    content = load_content(exclusive_tree)
    assert content.questions["works"].exclusive == "none"
    with pytest.raises(InputError) as error:
        validate(content, {"works": ["roof", "none"]})
    assert set(error.value.errors) == {"answers.works"}
    assert validate(content, {"works": ["none"]}) == {"works": ["none"]}
    assert validate(content, {"works": []}) == {"works": ["none"]}  # nothing ticked: "none"


def test_an_empty_list_is_refused_where_no_option_is_exclusive(content):
    with pytest.raises(InputError):
        validate(content, {"works": []})


def test_an_exclusive_option_needs_its_message_and_a_checkboxes_question(exclusive_tree):
    path = exclusive_tree / "questions" / "works.yaml"
    rewrite(path, '  exclusive: {fr: "« Aucun » seul", en: "None alone"}\n', "")
    with pytest.raises(ContentError, match="an 'exclusive' message is needed"):
        load_content(exclusive_tree)
    rewrite(
        path, "messages:\n", 'messages:\n  exclusive: {fr: "« Aucun » seul", en: "None alone"}\n'
    )
    rewrite(exclusive_tree / "questions" / "label.yaml",
            '  - {value: G, label: {fr: "G", en: "G"}}',
            '  - {value: G, label: {fr: "G", en: "G"}, exclusive: true}')  # fmt: skip
    with pytest.raises(ContentError, match="only an option of a checkboxes question"):
        load_content(exclusive_tree)


# --- dates as parameters ---------------------------------------------------------------------


BAN = """ban:
  description: A ban from 2028
  unit: date
  reference: https://example.org/ban
  values:
    2021-08-24: 2028-01-01
"""
BEFORE_BAN = """    - not: {from_date: ban}
      explain: {fr: "Avant l’interdiction", en: "Before the ban"}
"""


@pytest.fixture
def banned(content_copy):
    path = content_copy / "parameters.yaml"
    path.write_text(path.read_text(encoding="utf-8") + BAN, encoding="utf-8")
    rewrite(content_copy / "aids" / "works-grant.yaml",
            "    - {var: situation, eq: vacant}\n",
            "    - {var: situation, eq: vacant}\n" + BEFORE_BAN)  # fmt: skip
    return content_copy


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2026, 6, 1), "applicable"), (dt.date(2027, 12, 31), "applicable"),
    (dt.date(2028, 1, 1), "not_applicable")])  # fmt: skip
def test_a_date_parameter_decides_as_of_the_evaluation_date(banned, day, expected):
    content = load_content(banned)
    answers = {**VACANT, "label": "A"}
    assert status(evaluate(content, answers, CONTEXT, day))["works-grant"] == expected


def test_a_date_test_naming_no_date_parameter_is_refused(banned):
    rewrite(banned / "aids" / "works-grant.yaml", "from_date: ban}", "from_date: bonus}")
    with pytest.raises(ContentError, match="'from_date': 'bonus' is not a date parameter"):
        load_content(banned)


def test_dates_in_words():
    assert day_in_words(dt.date(2028, 1, 1), "fr") == "1er\u00a0janvier\u00a02028"
    assert day_in_words(dt.date(2034, 1, 2), "fr") == "2\u00a0janvier\u00a02034"
    assert day_in_words(dt.date(2028, 1, 1), "en") == "1 January 2028"


# --- conditional priority --------------------------------------------------------------------


def test_a_priority_entry_with_a_condition_is_asked_first_only_when_it_holds(content_copy):
    rewrite(
        content_copy / "manifest.yaml",
        "priority: [situation]",
        "priority: [situation, {question: label, if: {var: situation, eq: vacant}}]",
    )
    content = load_content(content_copy)
    assert evaluate(content, {"situation": "vacant"}, CONTEXT, DAY).next_question == "label"
    rewrite(content_copy / "manifest.yaml", "if: {var: situation, eq: vacant}",
            "if: {var: situation, eq: sold}")  # fmt: skip
    content = load_content(content_copy)
    assert evaluate(content, {"situation": "vacant"}, CONTEXT, DAY).next_question == "works"


# --- local aids may name national ones ---------------------------------------------------------


def test_a_local_aid_may_require_a_national_aid(content_copy):
    rewrite(content_copy / "local/123456789.yaml", "    rank: 5\n",
            "    rank: 5\n    requires: [works-grant]\n")  # fmt: skip
    loaded = load_content(content_copy)
    local = loaded.locals["123456789"]
    assert local.aids["local:bonus-testville"].requires == ("works-grant",)
    evaluation = evaluate(loaded, {**VACANT, "label": "G"}, CONTEXT, DAY, local=local)
    assert status(evaluation)["local:bonus-testville"] == "not_applicable"
    evaluation = evaluate(loaded, {**VACANT, "label": "A"}, CONTEXT, DAY, local=local)
    assert status(evaluation)["local:bonus-testville"] == "applicable"


def test_a_local_aid_naming_no_known_aid_is_refused_with_its_file(content_copy):
    rewrite(content_copy / "local/123456789.yaml", "    rank: 5\n",
            "    rank: 5\n    alternatives: [nowhere]\n")  # fmt: skip
    with pytest.raises(ContentError) as error:
        load_content(content_copy)
    assert "'alternatives' names an unknown aid 'nowhere'" in str(error.value)
    assert error.value.path.endswith("local/123456789.yaml") and error.value.line == 20
