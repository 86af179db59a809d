"""The OpenAPI document and the API agree (issue 12): schemathesis generates requests from
/api/v1/openapi.json, valid ones and invalid ones, calls the app in-process and checks each
answer against the document (no 500, documented status codes and bodies, schema-valid
input accepted, schema-invalid input refused, 405s with Allow). Derandomized and bounded.

(`schemathesis.pytest.from_fixture` reads `request.node._nodeid`, gone in pytest 9: the
strategies are driven by hypothesis here instead.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES = 60  # per generation mode


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=str)
def test_the_api_answers_as_its_openapi_document_says(app, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=schema.as_strategy(generation_mode=mode))
    def call(case):
        case.call_and_validate()

    call()
