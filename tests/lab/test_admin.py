"""Admins manage accounts and read the audit log."""


def test_admin_creates_account_and_it_is_audited(login_as, db):
    admin = login_as("admin")
    response = admin.post_form(
        "/admin/users", {"email": "new@ville.test", "name": "Nouvelle", "role": "manager", "password": "a" * 12}
    )
    assert response.status_code == 200 and "new@ville.test" in response.text
    log = admin.get("/admin/audit").text
    assert "a créé le compte de new@ville.test (rôle : Direction)" in log and "s&#39;est connecté·e" in log


def test_bad_account_data_gets_422_and_keeps_the_form(login_as):
    admin = login_as("admin")
    response = admin.post_form("/admin/users", {"email": "new@ville.test", "name": "Nouvelle", "role": "staff", "password": "short"})
    assert response.status_code == 422
    assert "12 caractères" in response.text and 'value="new@ville.test"' in response.text


def test_admin_cannot_disable_themselves(login_as, users):
    admin = login_as("admin")
    assert admin.post_form(f"/admin/users/{users['admin'].id}/active", {"active": "0"}).status_code == 422


def test_disabling_ends_sessions(login_as, users):
    staff = login_as("staff")
    admin = login_as("admin")
    admin.post_form(f"/admin/users/{users['staff'].id}/active", {"active": "0"})
    assert staff.get("/lab/prototypes", follow_redirects=False).status_code == 303


def test_unknown_account_is_404(login_as):
    assert login_as("admin").post_form("/admin/users/999/active", {"active": "1"}).status_code == 404


def test_an_absurd_audit_page_is_a_clear_422(login_as):
    admin = login_as("admin")
    for page in ("99999999999999999999", "0", "abc"):
        assert admin.get(f"/admin/audit?page={page}").status_code == 422, page
