"""Links given to people follow the public address: LAB_BASE_URL when set, else the address the server answers on."""

import re
from html import unescape

import pytest

from lab.settings import Settings, SettingsError
from tests.support import Browser

SERVED = "http://lab.local:8101"


@pytest.fixture
def staff_on(app, users):
    """A staff member's browser reaching the app at a given address."""
    made = []

    def make(address: str) -> Browser:
        browser = Browser(app, base_url=address)
        browser.__enter__()
        made.append(browser)
        assert browser.login(users["staff"].email).status_code == 303
        return browser

    yield make
    for browser in made:
        browser.__exit__(None, None, None)


def _addresses(staff: Browser, lab) -> list[str]:
    """Every absolute address staff are given for a session: printed cards, CSV, widget snippet, API."""
    page = f"/lab/deployments/{lab.deployment_id}"
    found = re.findall(r'<p class="link">([^<]+)</p>', staff.get(f"{page}/invitations/print").text)
    found += [row.split(";")[3] for row in staff.get(f"{page}/invitations.csv").text.splitlines()[1:]]
    found += re.findall(r"(?:src=&#34;|src=\"|POST )(\w+://[^&\" <]+)", unescape(staff.get(page).text))
    assert len(found) >= 3 + 3 + 2, found
    return found


def test_without_base_url_links_follow_the_served_address(settings, staff_on, lab):
    assert settings.base_url is None
    for address in _addresses(staff_on(SERVED), lab):
        assert address.startswith(SERVED + "/"), address


def test_a_configured_base_url_wins_over_the_served_address(app, staff_on, lab):
    app.state.settings = app.state.settings.with_(base_url="https://lab.rivebelle.example")
    for address in _addresses(staff_on("https://10.0.0.5:8443"), lab):  # e.g. behind a proxy
        assert address.startswith("https://lab.rivebelle.example/"), address


def test_cookies_are_secure_when_served_over_https_without_base_url(app, users):
    with Browser(app, base_url="https://lab.local") as https, Browser(app, base_url="http://lab.local") as http:
        assert "secure" in https.get("/login").headers["set-cookie"].lower()
        assert "secure" not in http.get("/login").headers["set-cookie"].lower()
        session = https.login(users["staff"].email).headers.get_list("set-cookie")
        assert all("secure" in cookie.lower() for cookie in session), session


def test_same_origin_check_in_both_modes(app):
    with Browser(app, base_url=SERVED) as browser:
        token = browser.csrf()

        def post(origin: str) -> int:
            return browser.post("/langue", data={"csrf_token": token, "lang": "fr"}, headers={"origin": origin},
                                follow_redirects=False).status_code

        assert post(SERVED) == 303
        assert post("http://evil.example") == 403 and post("http://lab.rivebelle.example") == 403
        app.state.settings = app.state.settings.with_(base_url="http://lab.rivebelle.example")
        # Behind a proxy that rewrites the host, the configured public origin is ours too.
        assert post("http://lab.rivebelle.example") == 303 and post(SERVED) == 303
        assert post("http://evil.example") == 403


def test_base_url_setting_is_explicit_and_checked():
    assert Settings.from_env({}).base_url is None
    assert Settings.from_env({"LAB_BASE_URL": " "}).base_url is None
    assert Settings.from_env({"LAB_BASE_URL": "https://lab.ville.fr/"}).base_url == "https://lab.ville.fr"
    for bad in ("lab.ville.fr", "ftp://lab.ville.fr", "https://lab.ville.fr/lab", "https://"):
        with pytest.raises(SettingsError, match="LAB_BASE_URL"):
            Settings.from_env({"LAB_BASE_URL": bad})
    unset = Settings(served_url="http://127.0.0.1:8101")
    assert unset.public_url("http://lab.local:8101/") == "http://lab.local:8101"
    assert unset.public_url() == "http://127.0.0.1:8101"  # outside a request (e-mails): where `lab serve` listens
    assert unset.secure_cookies("https") and not unset.secure_cookies("http")
    configured = Settings(base_url="https://lab.ville.fr")
    assert configured.public_url("http://10.0.0.5:8000") == configured.public_url() == "https://lab.ville.fr"
    assert configured.secure_cookies("http")
