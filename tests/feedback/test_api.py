"""The JSON feedback API for prototypes hosted elsewhere."""

import json
from dataclasses import replace

import pytest

from tests.factories import make_lab


@pytest.fixture
def key(lab, db):
    return db["deployments"].get(lab.deployment_id)["public_key"]


def _post(client, key, payload, **headers):
    return client.post("/api/v1/feedback", json=payload, headers={"X-Servicelab-Key": key, **headers})


def test_good_feedback_is_recorded_masked_with_rating(client, lab, key, db):
    response = _post(client, key, {"idempotency_key": "abc12345", "comment": "Écrivez-moi à jean.dupont@example.org",
                                   "satisfaction": "moyen", "page": "/etape-2"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "recorded" and body["pii_masked"] == ["email"]
    trial = db["trials"].get(body["id"])
    assert trial["channel"] == "widget" and trial["participant_id"] is None and trial["consent_at"] is None
    comment = next(db["comments"].rows_where("trial_id = ?", [body["id"]]))
    assert "jean.dupont" not in comment["text"] and "[courriel]" in comment["text"] and comment["source"] == "widget"
    assert next(db["responses"].rows_where("trial_id = ?", [body["id"]]))["number"] == 2


def test_same_idempotency_key_records_once(client, lab, key, db):
    first = _post(client, key, {"idempotency_key": "retry-key-1", "comment": "Trop long"})
    again = _post(client, key, {"idempotency_key": "retry-key-1", "comment": "Trop long"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == {"id": first.json()["id"], "status": "duplicate", "pii_masked": []}
    assert db["comments"].count_where("source = 'widget'") == 1


@pytest.mark.parametrize("key_header", [None, "pk_unknown", "x" * 101])
def test_bad_or_missing_key_is_401(client, lab, key_header):
    headers = {"X-Servicelab-Key": key_header} if key_header else {}
    response = client.post("/api/v1/feedback", json={"idempotency_key": "abcdefgh", "comment": "x"}, headers=headers)
    assert response.status_code in (401, 422)
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"idempotency_key": "short", "comment": "x"},
        {"idempotency_key": "abcdefgh"},
        {"idempotency_key": "abcdefgh", "comment": "x", "satisfaction": "peut-être"},
        {"idempotency_key": "abcdefgh", "comment": "x" * 4001},
        {"idempotency_key": "abcdefgh", "comment": "x", "unexpected": 1},
        {"idempotency_key": "abcdefgh", "comment": 42},
        # Blank for Python but not for ECMA regexes (or the reverse): the schema and the check agree.
        {"idempotency_key": "abcdefgh", "comment": "\x1e"},
        {"idempotency_key": "abcdefgh", "comment": " \x85\ufeff\u3000"},
    ],
)
def test_bad_payload_is_422_with_messages_and_stores_nothing(client, lab, key, db, payload):
    response = _post(client, key, payload)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert db["comments"].count_where("source = 'widget'") == 0


def test_not_json_is_422(client, lab, key):
    response = client.post("/api/v1/feedback", content=b"{not json", headers={"X-Servicelab-Key": key, "Content-Type": "application/json"})
    assert response.status_code == 422


def test_oversize_body_is_413(client, lab, key):
    response = client.post(
        "/api/v1/feedback", content=json.dumps({"idempotency_key": "abcdefgh", "comment": "x" * 70_000}).encode(),
        headers={"X-Servicelab-Key": key, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Le contenu envoyé est trop volumineux."}  # the documented error shape


def test_closed_deployment_is_409(client, db, settings, users):
    lab = make_lab(db, settings, users, opens_in=__import__("datetime").timedelta(days=2))
    key = db["deployments"].get(lab.deployment_id)["public_key"]
    assert _post(client, key, {"idempotency_key": "abcdefgh", "comment": "x"}).status_code == 409


def test_rate_limit_is_429_with_retry_after(client, app, lab, key):
    from lab.ratelimit import RateLimiter

    app.state.feedback_limiters = replace(app.state.feedback_limiters, api_per_client=RateLimiter(2, 600))
    assert _post(client, key, {"idempotency_key": "rate-0001", "comment": "a"}).status_code == 201
    assert _post(client, key, {"idempotency_key": "rate-0002", "comment": "b"}).status_code == 201
    blocked = _post(client, key, {"idempotency_key": "rate-0003", "comment": "c"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0


def test_api_needs_no_cookie_or_csrf_and_sets_none(app, lab, key):
    from starlette.testclient import TestClient

    with TestClient(app) as fresh:
        response = fresh.post("/api/v1/feedback", json={"idempotency_key": "nocookie1", "satisfaction": "oui"},
                              headers={"X-Servicelab-Key": key, "Origin": "https://prototype.ville.fr"})
        assert response.status_code == 201 and "set-cookie" not in response.headers


def test_concurrent_submissions_are_each_recorded_once(app, lab, key, db):
    import asyncio

    import httpx2

    from tests.support import run_async

    async def burst():
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await asyncio.gather(*(
                client.post("/api/v1/feedback", json={"idempotency_key": f"burst-{i % 40:04d}", "comment": f"avis {i % 40}"},
                            headers={"X-Servicelab-Key": key})
                for i in range(80)))

    responses = run_async(burst())
    assert sorted(r.status_code for r in responses) == [200] * 40 + [201] * 40  # each key once, replays said so
    assert db["comments"].count_where("source = 'widget'") == 40
    assert len({r.json()["id"] for r in responses}) == 40


def test_openapi_documents_the_schema(client):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/v1/feedback"]["post"]
    assert {"201", "401", "409", "422", "429"} <= set(operation["responses"])
    assert "FeedbackIn" in schema["components"]["schemas"]
    assert client.get("/api/docs").status_code == 200


def test_one_client_cannot_shut_the_public_key_for_everyone(app, lab, key):
    """The key's allowance is shared by every site and citizen: one client's excess must not spend it."""
    from lab.ratelimit import RateLimiter
    from tests.support import Browser

    app.state.feedback_limiters = replace(app.state.feedback_limiters, api_per_client=RateLimiter(5, 600),
                                          api_per_key=RateLimiter(10, 600))
    with Browser(app, client=("203.0.113.7", 1)) as flooder, Browser(app, client=("198.51.100.2", 1)) as citizen:
        statuses = [_post(flooder, key, {"idempotency_key": f"flood-{n:04d}", "comment": "x"}).status_code for n in range(60)]
        assert statuses.count(201) == 5 and statuses.count(429) == 55
        assert _post(citizen, key, {"idempotency_key": "citizen-0001", "comment": "Le formulaire est clair"}).status_code == 201


def test_the_page_a_comment_came_from_is_stored_masked_and_reported(client, lab, key, db):
    response = _post(client, key, {"idempotency_key": "page-0001", "comment": "Très bien",
                                   "page": "/suivi?email=jean.dupont@example.org&tel=0612345678"})
    assert response.status_code == 201 and response.json()["pii_masked"] == ["email", "phone"]
    (stored,) = [row[0] for row in db.execute("SELECT last_step FROM trials WHERE idempotency_key LIKE 'api:%'")]
    assert "jean.dupont" not in stored and "0612345678" not in stored and stored.startswith("/suivi?email=")
