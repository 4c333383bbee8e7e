"""The OpenAPI document says what the server enforces: schemathesis tries generated requests.

Bounded (a few examples per operation, a few hundred cases in all) to keep the
default test run short; every answer must be no 5xx, a status and body the
document lists, and a request the document allows must not be refused as
malformed (and one it forbids must be).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api import Settings, create_app

# Short limits: generated patterns and tenants must not hold the run for seconds each.
APP = create_app(Settings(max_request_seconds=1.0, regex_timeout=0.05, max_batch_items=50))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)

pytestmark = pytest.mark.slow


SEMANTIC = {"/v1/normalize", "/v1/normalize/batch"}
"""Where every schema-valid request is answered 2xx or 404: a posted tenant, suite or
file can also be schema-valid and still unusable (a pattern that does not compile: 422)."""


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_document_says(case: schemathesis.Case) -> None:
    excluded = [] if case.path in SEMANTIC else [positive_data_acceptance]
    case.call_and_validate(excluded_checks=excluded)
