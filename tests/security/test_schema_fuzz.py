"""Fuzz every operation of the app's OpenAPI schema, as an anonymous visitor and as signed-in staff: no 5xx.

The schema covers the pages and forms too (FastAPI declares their parameters and form bodies),
not only the JSON API. Cases run against a copy of the demo lab so that generated ids often
name real prototypes, deployments and themes; half of the integer path parameters are folded
onto small ids for that reason. `make test` runs a short pass; `make fuzz` sets
SERVICELAB_FUZZ_CASES to run thousands of cases per caller.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lab.accounts import create_user
from lab.app import create_app
from lab.db import opened, write
from lab.demo.loader import load_demo
from lab.settings import Settings
from tests.support import PASSWORD, Browser

CASES = int(os.environ.get("SERVICELAB_FUZZ_CASES", "300"))
#: Signing out would end the staff session the remaining cases need (it is tested on its own).
STAFF_SKIPS = {("POST", "/logout")}


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory):
    """The demo lab once per module; each test works on its own copy of the file."""
    path = tmp_path_factory.mktemp("fuzz-template") / "lab.db"
    settings = Settings(db_path=path, secret_key="fuzz-" + "k" * 40, start_workers=False)
    create_app(settings)  # migrated as the app does it
    with opened(path) as db:
        load_demo(db, settings)
        with write(db):
            create_user(db, email="fuzz-staff@ville.test", name="Fuzz", role="staff", password=PASSWORD)
    return settings


def _app(demo_copy, tmp_path):
    db_path = tmp_path / "lab.db"
    shutil.copy(demo_copy.db_path, db_path)
    return create_app(demo_copy.with_(db_path=db_path, api_client_limit=10**9, api_key_limit=10**9,
                                      login_attempts=10**6))


def _small_ids(case) -> None:
    """Half the time, integer path parameters name an object that may exist (ids of the demo are small)."""
    if case.path_parameters and hash(repr(case.path_parameters)) % 2:
        case.path_parameters = {k: (v % 40) + 1 if isinstance(v, int) and v > 0 else v
                                for k, v in case.path_parameters.items()}


@pytest.mark.parametrize("caller", ["anonymous", "staff"])
def test_no_operation_of_the_schema_answers_5xx(demo_copy, tmp_path, caller):
    app = _app(demo_copy, tmp_path)
    browser = Browser(app)
    browser.__enter__()  # the app stays started (its writer and pool open) while the cases run
    if caller == "staff":
        assert browser.login("fuzz-staff@ville.test").status_code == 303
    browser.csrf()
    cookies = dict(browser.cookies)
    headers = {"X-CSRF-Token": cookies["lab_csrf"]}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if caller == "anonymous" or (op.method.upper(), op.path) not in STAFF_SKIPS]
    strategy = st.one_of([op.as_strategy(generation_mode=mode) for op in operations
                          for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)])
    statuses: Counter = Counter()
    failures: list[str] = []

    @given(case=strategy)
    @hypothesis_settings(max_examples=CASES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def exercise(case):
        _small_ids(case)
        case.cookies = {**(case.cookies or {}), **cookies}
        case.headers = {**headers, **(case.headers or {})}
        response = case.call()
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:500]}"

    try:
        exercise()
    finally:
        browser.__exit__(None, None, None)
    print(f"\n{caller}: {statuses.total()} cases over {len(operations)} operations, statuses {dict(sorted(statuses.items()))}")
    assert statuses.total() >= CASES and not failures
    assert sum(n for status, n in statuses.items() if status < 400) > 0, "some cases must reach real pages"
