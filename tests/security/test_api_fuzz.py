"""Fuzz the JSON API from its own OpenAPI schema: no 5xx, every response conforms to the schema."""

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from benchmarks.loopback import open_deployment
from lab.app import create_app
from lab.settings import Settings

FUZZ_CASES = 1000


@pytest.fixture
def fuzz_target(tmp_path):
    db_path = tmp_path / "fuzz.db"
    key = open_deployment(db_path)
    settings = Settings(db_path=db_path, secret_key="fuzz-" + "k" * 40, start_workers=False,
                        api_client_limit=10**9, api_key_limit=10**9)
    return create_app(settings), key


def test_feedback_api_never_fails_and_matches_its_schema(fuzz_target):
    app, key = fuzz_target
    operation = schemathesis.openapi.from_asgi("/api/openapi.json", app)["/api/v1/feedback"]["POST"]
    statuses: Counter = Counter()

    cases = st.one_of(
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @hypothesis_settings(max_examples=FUZZ_CASES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def exercise(case):
        if not (case.headers or {}).get("X-Servicelab-Key") or statuses.total() % 3:
            case.headers = {**(case.headers or {}), "X-Servicelab-Key": key}  # mostly the real key, sometimes fuzzed
        response = case.call()
        statuses[response.status_code] += 1
        assert response.status_code < 500, response.text
        case.validate_response(response)

    exercise()
    print(f"\nfuzz cases={statuses.total()} statuses={dict(sorted(statuses.items()))}")
    assert statuses.total() >= FUZZ_CASES
    assert statuses[201] > 0 and statuses[422] > 0, "both accepted and refused inputs were generated"
