"""Arranging an open test for the citizen journey, then driving citizens through real HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from feedback.sessions import PARTICIPANT_COOKIE
from lab.clock import utcnow
from lab.db import write
from lab.deployments import DeploymentForm, create_deployment, form_time
from lab.groups import add_participants, create_group, list_participants
from lab.invitations import SharedLinkForm, create_shared, generate_personal, list_invitations
from prototypes import EXAMPLES_DIR
from prototypes.store import create_prototype
from tests.support import Browser

VOIRIE = (EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8")
IDEM_RE = re.compile(r'name="idem" value="([^"]+)"')
BASE = "http://testserver"

#: A valid answer for each step of the voirie prototype.
GOOD = {
    "lieu": {"f-adresse": "12 rue de la République", "f-repere": "devant la boulangerie"},
    "nature": {"f-categorie": "Trottoir dégradé", "f-danger": "non"},
    "constat": {"f-date_constat": "2026-03-02"},
    "contact": {"f-courriel": "", "f-telephone": ""},
}
STEPS = list(GOOD)



@dataclass
class Lab:
    """An open deployment of the voirie prototype for a group of participants with personal links."""

    deployment_id: int
    iteration_id: int
    prototype_id: int
    group_id: int
    tokens: list[str]
    participants: list[dict]
    settings: object
    shared_token: str | None = None
    extra: dict = field(default_factory=dict)


def make_lab(db, settings, users=None, *, count=3, sus=True, umux_lite=False, quota="", opens_in=None, shared_uses=None) -> Lab:
    now = utcnow()
    staff_id = users["staff"].id if users else None
    opens = now + opens_in if opens_in else now - timedelta(days=1)
    with write(db):
        prototype_id, iteration_id = create_prototype(db, spec_yaml=VOIRIE, user_id=staff_id)
        group_id = create_group(db, name="Habitants du centre", description="", user_id=staff_id)
        if count:
            add_participants(db, group_id=group_id, count=count)
        form = DeploymentForm(title="Signalement voirie", iteration_a=str(iteration_id), group_ids=(str(group_id),),
                              opens_at=form_time(opens), closes_at=form_time(now + timedelta(days=30)), quota=quota,
                              retention_days="180", sus=sus, umux_lite=umux_lite)
        deployment_id = create_deployment(db, form=form, user_id=staff_id, now=now - timedelta(days=2))
        generate_personal(db, deployment_id=deployment_id, secret_key=settings.secret_key, now=now)
        shared = None
        if shared_uses:
            shared = create_shared(db, deployment_id=deployment_id, form=SharedLinkForm(str(group_id), str(shared_uses)),
                                   secret_key=settings.secret_key, now=now)
    links = list_invitations(db, deployment_id, secret_key=settings.secret_key, base_url=BASE, now=now)
    personal = [link for link in links if link["kind"] == "personal"]
    personal.sort(key=lambda link: link["participant_id"])
    shared_token = next((link["url"].rsplit("/t/", 1)[1] for link in links if link["id"] == shared), None)
    return Lab(deployment_id, iteration_id, prototype_id, group_id, [link["url"].rsplit("/t/", 1)[1] for link in personal],
               sorted(list_participants(db, group_id), key=lambda p: p["id"]), settings, shared_token)


def idem(page) -> str:
    match = IDEM_RE.search(page.text)
    assert match, page.text[:2000]
    return match.group(1)


class Citizen(Browser):
    """A browser of its own: cookies, CSRF token, and the last page seen."""

    def open_link(self, token: str):
        return self.get(f"/t/{token}", follow_redirects=False)

    def enter(self, token: str):
        first = self.open_link(token)
        assert first.status_code == 303, first.text
        return self.get(first.headers["location"])

    def consent(self):
        page = self.get("/take")
        return self.post_form("/take/consentement", {"consent": "oui", "idem": idem(page)}, follow_redirects=False)

    def step(self, key: str, data: dict | None = None, *, page=None, **kwargs):
        page = page or self.get(f"/take/etape/{key}")
        payload = {"idem": idem(page), **GOOD[key], **(data or {})}
        return self.post_form(f"/take/etape/{key}", payload, follow_redirects=False, **kwargs)

    def walk_steps(self, comments: dict | None = None):
        for key in STEPS:
            response = self.step(key, {"commentaire": (comments or {}).get(key, "")})
            assert response.status_code == 303, (key, response.status_code, response.text[:3000])
        return response

    def questionnaire(self, data: dict | None = None, *, sus=True, **kwargs):
        page = self.get("/take/questionnaire")
        payload = {"idem": idem(page), "q-satisfaction": "3", "q-ease": "4", "q-clarity": "5", "q-help_needed": "0"}
        if sus:
            payload |= {f"q-sus_{i}": str(1 + i % 5) for i in range(1, 11)}
        payload |= data or {}
        return self.post_form("/take/questionnaire", payload, follow_redirects=False, **kwargs)

    @property
    def has_participant_cookie(self) -> bool:
        return PARTICIPANT_COOKIE in self.cookies
