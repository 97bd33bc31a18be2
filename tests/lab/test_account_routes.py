"""Accounts on the web: least privilege by default, one's own password, an admin's temporary password and role changes, audited."""

import re

from tests.support import PASSWORD, Browser

TEMPORARY = "provisoire-rivebelle"
NEW = "une toute nouvelle phrase de passe"


def _audit(db, action: str) -> list[dict]:
    return list(db.query("SELECT user_id, object_id, detail FROM audit_log WHERE action = ? ORDER BY id", [action]))


def test_the_role_choice_defaults_to_the_least_privilege(login_as, db):
    admin = login_as("admin")
    page = admin.get("/admin/users").text
    radios = re.findall(r'<input type="radio" id="role-(\w+)" name="role" value="\w+"[^>]*?( checked)?>', page)
    assert radios[0] == ("manager", " checked") and [r for r, checked in radios if checked] == ["manager"]
    assert 'value="admin" selected' not in page
    created = admin.post_form("/admin/users", {"email": "nouveau@ville.test", "password": TEMPORARY})
    assert created.status_code == 200
    assert db.execute("SELECT role FROM users WHERE email = 'nouveau@ville.test'").fetchone()[0] == "manager"


def test_a_new_account_must_choose_its_password_before_anything_else(app, login_as, db):
    login_as("admin").post_form("/admin/users", {"email": "agent@ville.test", "role": "staff", "password": TEMPORARY})
    with Browser(app, base_url="http://testserver") as agent:
        signed_in = agent.login("agent@ville.test", TEMPORARY)
        assert signed_in.headers["location"] == "/compte/mot-de-passe?next=/"
        for url in ("/", "/lab", "/lab/prototypes", "/reports"):
            assert agent.get(url, follow_redirects=False).headers["location"] == "/compte/mot-de-passe", url
        refused = agent.post_form("/lab/groups", {"name": "Groupe"})
        assert refused.status_code == 403 and "mot de passe provisoire" in refused.text
        htmx = agent.post_form("/lab/specs/validate", {"spec_yaml": "x"}, headers={"HX-Request": "true"})
        assert htmx.status_code == 403 and htmx.headers["HX-Redirect"] == "/compte/mot-de-passe"
        page = agent.get("/compte/mot-de-passe")
        assert "Choisissez votre mot de passe" in page.text and "Mot de passe provisoire" in page.text
        assert 'href="/lab/prototypes"' not in page.text  # no menu leads elsewhere meanwhile
        changed = agent.post_form("/compte/mot-de-passe", {"current": TEMPORARY, "password": NEW, "confirm": NEW, "next": "/"},
                                  follow_redirects=False)
        assert changed.status_code == 303 and changed.headers["location"] == "/"
        assert agent.get("/", follow_redirects=False).headers["location"] == "/lab"
        assert agent.get("/lab/prototypes").status_code == 200
    (entry,) = _audit(db, "account.password_change")
    assert '"temporary": true' in entry["detail"]


def test_changing_ones_password_signs_out_other_devices(app, login_as, users, db):
    laptop, phone = login_as("staff"), login_as("staff")
    wrong = laptop.post_form("/compte/mot-de-passe", {"current": "pas le bon mot", "password": NEW, "confirm": NEW})
    assert wrong.status_code == 422 and 'href="#current"' in wrong.text and "actuel est incorrect" in wrong.text
    mismatch = laptop.post_form("/compte/mot-de-passe", {"current": PASSWORD, "password": NEW, "confirm": NEW + "!"})
    assert mismatch.status_code == 422 and 'href="#confirm"' in mismatch.text
    short = laptop.post_form("/compte/mot-de-passe", {"current": PASSWORD, "password": "court", "confirm": "court"})
    assert short.status_code == 422 and 'href="#password"' in short.text and "12 caractères" in short.text
    done = laptop.post_form("/compte/mot-de-passe", {"current": PASSWORD, "password": NEW, "confirm": NEW})
    assert done.status_code == 200 and "Votre mot de passe a été changé" in done.text
    assert laptop.get("/lab/prototypes").status_code == 200
    assert phone.get("/lab/prototypes", follow_redirects=False).headers["location"].startswith("/login")
    with Browser(app, base_url="http://testserver") as again:
        assert again.login(users["staff"].email).status_code == 422
        assert again.login(users["staff"].email, NEW).status_code == 303
    assert _audit(db, "account.password_change")[0]["detail"] == '{"temporary": false, "sessions_ended": 1}'


def test_an_admin_gives_a_temporary_password(app, login_as, users, db):
    staff, admin = login_as("staff"), login_as("admin")
    page = f"/admin/users/{users['staff'].id}"
    mismatch = admin.post_form(f"{page}/password", {"password": TEMPORARY, "confirm": "autre chose encore"})
    assert mismatch.status_code == 422 and 'href="#confirm"' in mismatch.text
    done = admin.post_form(f"{page}/password", {"password": TEMPORARY, "confirm": TEMPORARY})
    assert done.status_code == 200 and "mot de passe provisoire est enregistré" in done.text
    assert staff.get("/lab", follow_redirects=False).headers["location"].startswith("/login")
    with Browser(app, base_url="http://testserver") as back:
        assert back.login(users["staff"].email, TEMPORARY).headers["location"].startswith("/compte/mot-de-passe")
    own = admin.post_form(f"/admin/users/{users['admin'].id}/password", {"password": TEMPORARY, "confirm": TEMPORARY})
    assert own.status_code == 422
    (entry,) = _audit(db, "user.password_reset")
    assert entry["user_id"] == users["admin"].id and entry["object_id"] == users["staff"].id


def test_an_admin_changes_a_role_never_their_own(login_as, users, db):
    staff, admin = login_as("staff"), login_as("admin")
    page = f"/admin/users/{users['staff'].id}"
    assert admin.post_form(f"{page}/role", {"role": "root"}).status_code == 422
    changed = admin.post_form(f"{page}/role", {"role": "manager"})
    assert changed.status_code == 200 and "Le rôle a été changé" in changed.text
    assert staff.get("/lab/prototypes").status_code == 403 and staff.get("/reports").status_code == 200
    own = admin.post_form(f"/admin/users/{users['admin'].id}/role", {"role": "staff"})
    assert own.status_code == 422 and "votre propre rôle" in own.text
    assert admin.post_form("/admin/users/999/role", {"role": "staff"}).status_code == 404
    (entry,) = _audit(db, "user.role")
    assert entry["detail"] == '{"email": "staff@ville.test", "from": "staff", "to": "manager"}'


def test_the_account_page_offers_each_change(login_as, users):
    admin = login_as("admin")
    page = admin.get(f"/admin/users/{users['staff'].id}").text
    for action in ("role", "password", "active"):
        assert f'action="/admin/users/{users["staff"].id}/{action}"' in page
    own = admin.get(f"/admin/users/{users['admin'].id}").text
    assert f'/admin/users/{users["admin"].id}/role"' not in own and "/compte/mot-de-passe" in own
