"""`portal content check` and `portal rules eval`."""

from __future__ import annotations

import json

from tests.rules.conftest import FIXTURE


def test_content_check_validates_and_runs_the_examples(app):
    result = app.test_cli_runner().invoke(args=["content", "check", "--path", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    assert "2 aids" in result.output
    assert "2 passed, 0 failed" in result.output


def test_content_check_fails_on_a_failing_example(app, content_copy):
    path = content_copy / "examples" / "basic.yaml"
    path.write_text(path.read_text().replace("next_question: situation", "next_question: works"))
    result = app.test_cli_runner().invoke(args=["content", "check", "--path", str(content_copy)])
    assert result.exit_code == 1
    assert "next_question: expected works, got situation" in result.output
    assert "1 passed, 1 failed" in result.output


def test_content_check_names_the_bad_file(app, content_copy):
    (content_copy / "aids" / "bonus.yaml").write_text("slug: [unclosed\n")
    result = app.test_cli_runner().invoke(args=["content", "check", "--path", str(content_copy)])
    assert result.exit_code == 1
    assert "bonus.yaml:" in result.output
    assert "invalid YAML" in result.output


def test_rules_eval_prints_the_api_shape(app, tmp_path):
    situation = tmp_path / "situation.json"
    situation.write_text(
        json.dumps(
            {
                "answers": {"situation": "sold"},
                "as_of": "2026-11-23",
                "context": {
                    "commune_density_level": 3,
                    "in_opah_pig": False,
                    "zone_tendue": True,
                    "acv_or_ort": False,
                    "idf": True,
                },
            }
        )
    )
    result = app.test_cli_runner().invoke(args=["rules", "eval", str(situation)])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["next_question"] is None
    assert body["as_of"] == "2026-11-23"
    api = app.test_client().post(
        "/api/v1/diagnostic/evaluate", json=json.loads(situation.read_text())
    )
    assert api.json == body


def test_rules_eval_names_the_bad_field(app, tmp_path):
    situation = tmp_path / "situation.json"
    situation.write_text(json.dumps({"answers": {"situation": "gone"}, "context": {}}))
    result = app.test_cli_runner().invoke(args=["rules", "eval", str(situation)])
    assert result.exit_code == 1
    assert "answers.situation" in result.output
    situation.write_text("{not json")
    assert "not JSON" in app.test_cli_runner().invoke(args=["rules", "eval", str(situation)]).output
