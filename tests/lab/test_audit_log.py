"""The audit log reads as French sentences naming each actor's address, with filters and numbered pages."""

import ast
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest

from lab import audit
from lab.audit_text import ACTIONS
from lab.db import write
from lab.routes.audit_log import page_numbers

ROOT = Path(__file__).resolve().parents[2]


def _entries(page) -> list[str]:
    """The text of each entry, tags removed."""
    items = re.findall(r'<li class="audit-log__entry">(.*?)</li>', page.text, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


def _log(db, users, rows) -> None:
    with write(db):
        for user, action, object_type, object_id, detail in rows:
            audit.record(db, user_id=users[user].id if user else None, action=action, object_type=object_type,
                         object_id=object_id, detail=detail)


def test_entries_are_sentences_with_the_actors_address(login_as, users, db):
    _log(db, users, [
        ("staff", "themes.merge", "iteration", 4, {"theme_id": 7, "merged_id": 9}),
        ("admin", "user.role", "user", users["staff"].id, {"email": "staff@ville.test", "from": "staff", "to": "manager"}),
        (None, "participant.erase_self", "participant", 12, {"rows": 8, "channel": "online"}),
        ("staff", "mail.sent", None, None, {"to": "P-7F3K", "count": 2}),
    ])
    admin = login_as("admin")
    _login, mail, erased, role, merge = _entries(admin.get("/admin/audit"))[:5]
    assert "Staff (staff@ville.test) a fusionné deux thèmes – itération n° 4." in merge
    assert "Admin (admin@ville.test) a changé le rôle de staff@ville.test : Équipe du laboratoire → Direction" in role
    assert "Un·e participant·e a effacé ses données de participant·e (8 éléments)" in erased
    assert "a effectué l'action « mail.sent »" in mail  # a code nobody described yet, its detail as a list
    for text in (merge, role, erased, mail):
        assert "{" not in text and "user #" not in text and not re.search(r"\bthemes\.merge\b", text)
    page = admin.get("/admin/audit").text
    assert "<dt>to</dt><dd>P-7F3K</dd><dt>count</dt><dd>2</dd>" in page
    assert "itération n°\u00a04</a>" in page  # the number never wraps away from "n°"
    assert 'href="/lab/iterations/4"' in page and f'href="/admin/users/{users["staff"].id}"' in page
    admin.post_form("/langue", {"lang": "en", "next": "/admin/audit"})
    english = _entries(admin.get("/admin/audit"))
    assert any("Staff (staff@ville.test) merged two themes" in text for text in english), english


def test_filters_by_person_action_and_dates(login_as, users, db):
    _log(db, users, [("staff", "prototype.create", "prototype", 1, {}), ("manager", "report.export", "iteration", 1,
                                                                          {"format": "csv"})])
    with write(db):
        db.execute("UPDATE audit_log SET at = '2026-01-10T09:00:00+00:00' WHERE action = 'prototype.create'")
    admin = login_as("admin")
    by_person = _entries(admin.get(f"/admin/audit?personne={users['manager'].id}"))
    assert len(by_person) == 1 and "a exporté les données d'une itération (csv)" in by_person[0]
    by_action = _entries(admin.get("/admin/audit?action=prototype.create"))
    assert len(by_action) == 1 and "a créé un prototype" in by_action[0]
    by_day = admin.get("/admin/audit?du=2026-01-10&au=10/01/2026")
    assert len(_entries(by_day)) == 1 and "a créé un prototype" in _entries(by_day)[0]
    assert 'name="au" type="date" value="2026-01-10"' in by_day.text  # typed the French way, shown as a date input reads it
    assert _entries(admin.get("/admin/audit?du=2026-01-11&action=prototype.create")) == []
    nobody = _entries(admin.get("/admin/audit?personne=0"))
    assert nobody == []  # every entry here has an author
    page = admin.get(f"/admin/audit?personne={users['manager'].id}&action=report.export").text
    assert f'<option value="{users["manager"].id}" selected>' in page and '<option value="report.export" selected>' in page


def test_numbered_pages_keep_the_filters(login_as, users, db):
    _log(db, users, [("staff", "group.update", "test_group", n, {}) for n in range(1, 121)])
    admin = login_as("admin")
    first = admin.get("/admin/audit?action=group.update")
    assert len(_entries(first)) == 50 and "page 1 sur 3" in first.text
    assert 'href="?action=group.update&amp;page=3"' in first.text and 'aria-current="page"' in first.text
    last = admin.get("/admin/audit?action=group.update&page=3")
    assert len(_entries(last)) == 20 and 'href="/lab/groups/1"' in last.text
    beyond = admin.get("/admin/audit?action=group.update&page=9")
    assert beyond.status_code == 200 and "dernière page (3)" in beyond.text


@pytest.mark.parametrize("query", [
    "personne=abc", "personne=99999999999999999999999", "personne=424242", "action=%3Cscript%3E", "du=2026-02-30",
    "au=hier", "du=2026-03-10&au=2026-03-01", "du=" + "9" * 100, "page=0", "page=abc", "page=99999999999999999999",
])
def test_absurd_filters_get_a_clear_4xx(login_as, users, query):
    response = login_as("admin").get(f"/admin/audit?{query}")
    assert 400 <= response.status_code < 500, query
    if response.status_code == 422 and "error-summary" in response.text:  # each problem names its field
        assert re.search(r'href="#(personne|action|du|au)"', response.text)


def test_page_numbers_show_both_ends_and_the_neighbours():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 4) == [1, 2, 3, 4]
    assert page_numbers(10, 40) == [1, None, 8, 9, 10, 11, 12, None, 40]


def _recorded_codes() -> tuple[set[str], set[str]]:
    """Action codes written in the source: literal ones, and the prefixes of f-strings (`f"themes.{kind}"`)."""
    literal, prefixes = set(), set()
    for path in [p for package in ("lab", "prototypes", "feedback", "analysis") for p in (ROOT / package).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "action":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    literal.add(node.value.value)
                elif isinstance(node.value, ast.JoinedStr) and isinstance(node.value.values[0], ast.Constant):
                    prefixes.add(node.value.values[0].value)
                elif isinstance(node.value, ast.IfExp):
                    literal |= {branch.value for branch in (node.value.body, node.value.orelse)
                                if isinstance(branch, ast.Constant) and isinstance(branch.value, str)}
    return literal, prefixes


def test_every_recorded_action_has_a_sentence():
    literal, prefixes = _recorded_codes()
    assert {"login", "user.create", "deployment.create"} <= literal and "themes." in prefixes
    assert sorted(literal - set(ACTIONS)) == []
    for prefix in prefixes:
        assert any(code.startswith(prefix) for code in ACTIONS), prefix


def test_a_day_filter_covers_the_whole_paris_day(login_as, users, db):
    """23:30 UTC on 9 January is already 10 January in Paris."""
    _log(db, users, [("staff", "group.create", "test_group", 1, {})])
    late = datetime(2026, 1, 9, 23, 30, tzinfo=UTC)
    with write(db):
        db.execute("UPDATE audit_log SET at = ?", [late.isoformat()])
    admin = login_as("admin")
    assert len(_entries(admin.get("/admin/audit?action=group.create&du=2026-01-10&au=2026-01-10"))) == 1
    assert _entries(admin.get(f"/admin/audit?action=group.create&au={(late - timedelta(days=1)).date()}")) == []
