"""schemathesis against /api/v1/openapi.json: generated requests to every operation
never get a 5xx, and every response matches the schema. Bounded (a few dozen cases
per operation) so it finishes within a minute in CI."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.slow


def test_the_api_answers_every_generated_request_as_documented(demo_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case):
            response = case.call(headers={"Accept-Encoding": "identity"})  # WSGI: no decoding
            assert response.status_code < 500, (case.path, case.query, response.text[:300])
            case.validate_response(
                response,
                checks=(
                    response_schema_conformance,
                    content_type_conformance,
                    status_code_conformance,
                ),
            )

        answers_as_documented()
