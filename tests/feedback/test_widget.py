"""The embeddable "Donnez votre avis" form."""

import re

import pytest

KEY_RE = re.compile(r'name="key" value="([^"]+)"')


@pytest.fixture
def key(lab, db):
    return db["deployments"].get(lab.deployment_id)["public_key"]


def test_form_is_frameable_without_script(client, key):
    page = client.get(f"/widget/{key}")
    assert page.status_code == 200 and "Donnez votre avis" in page.text
    assert "<script" not in page.text
    assert "frame-ancestors *" in page.headers["content-security-policy"]
    assert "x-frame-options" not in page.headers
    assert client.get("/login").headers["x-frame-options"] == "DENY"


def test_submission_recorded_once_even_if_resent(client, key, db):
    form_key = KEY_RE.search(client.get(f"/widget/{key}").text).group(1)
    data = {"key": form_key, "satisfaction": "non", "comment": "Le bouton est introuvable"}
    assert "Merci pour votre avis" in client.post(f"/widget/{key}", data=data).text
    assert "Merci pour votre avis" in client.post(f"/widget/{key}", data=data).text
    assert db["comments"].count_where("source = 'widget'") == 1


def test_empty_submission_is_422(client, key):
    response = client.post(f"/widget/{key}", data={"key": "k" * 20})
    assert response.status_code == 422 and "Choisissez une réponse" in response.text


def test_personal_data_warned_then_masked(client, key, db):
    data = {"key": "w" * 20, "comment": "appelez-moi au 06 12 34 56 78"}
    warned = client.post(f"/widget/{key}", data=data)
    assert warned.status_code == 422 and "numéro de téléphone" in warned.text
    assert db["comments"].count == 0
    done = client.post(f"/widget/{key}", data=data | {"confirm_pii": "1"})
    assert "masquées" in done.text
    stored = next(db["comments"].rows)["text"]
    assert "06 12" not in stored and "[téléphone]" in stored


def test_unknown_key_is_a_polite_404(client):
    response = client.get("/widget/pk_nope")
    assert response.status_code == 404 and "pas ouvert" in response.text
