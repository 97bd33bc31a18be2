"""What our messages say: subject, plain text and HTML, in the person's language, signed by the collectivité.

Letters are written when they are sent, never stored: the personal link inside an invitation is
recomputed from its salt (the database keeps only its hash) and the address is read from
`participant_contacts`. The HTML part has no image at all (no tracking pixel, no remote
picture, not even the logo: half a megabyte in every message) and one `<style>` block, the
same for every letter, whose hash lets the preview page allow it and nothing else.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup
from sqlite_utils import Database

from feedback.changes import Changes, DeliveredActions, changelog_blocks, changes_after
from feedback.mail_links import CHANGES_PATH, UNSUBSCRIBE_PATH, changes_url, unsubscribe_url
from feedback.mailings import mail_settings
from lab import organisation
from lab.campaigns.deployments import get_deployment
from lab.campaigns.invitations import invitation_url, make_token
from lab.clock import local_text
from lab.i18n import N_, speaking
from lab.i18n import gettext as _
from lab.settings import Settings
from prototypes.store import get_iteration, next_iteration, previous_iteration

MAIL_CSS = Path(__file__).parent / "templates" / "feedback" / "mail" / "mail.css"
SUBJECTS = {
    "invitation": N_("Invitation : aidez-nous à tester « %(title)s »"),
    "reminder": N_("Rappel : le test « %(title)s » se termine le %(date)s"),
    "changes": N_("Ce qui a changé grâce à vous : « %(title)s »"),
}
#: What previews and test sends show where a real letter has a personal link.
EXAMPLE_TOKEN = "exemple"


@dataclass(frozen=True)
class Letter:
    """A message ready to be put in an envelope."""

    subject: str
    text: str
    html: str
    recipient: str
    recipient_name: str
    unsubscribe_url: str
    language: str
    sender_name: str


@functools.cache
def mail_css() -> str:
    """The one style block of every HTML letter (our own text, never user data)."""
    return MAIL_CSS.read_text(encoding="utf-8").strip()


def style_hash() -> str:
    """The CSP source that allows exactly that style block (`style-src 'sha256-…'`)."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(mail_css().encode()).digest()).decode() + "'"


def _render(env: jinja2.Environment, kind: str, context: dict, language: str) -> tuple[str, str, str]:
    with speaking(language):
        subject = _(SUBJECTS[kind], title=context["title"], date=local_text(context["deployment"]["closes_at"], False))
        full = {**context, "kind": kind, "subject": " ".join(subject.split()), "lang": language, "css": Markup(mail_css()),
                "who": context["organisation"].name or _("Le laboratoire d'innovation publique de votre collectivité")}
        text = env.get_template(f"feedback/mail/{kind}.txt").render(full)
        html = env.get_template(f"feedback/mail/{kind}.html").render(full)
    return full["subject"], text.strip() + "\n", html


def _common(db: Database, deployment: dict, settings: Settings, unsubscribe: str) -> dict:
    return {
        "organisation": organisation.load(db),
        "deployment": deployment,
        "title": deployment["prototype_title"],
        "mediator_phone": mail_settings(db, deployment["id"])["mediator_phone"],
        "unsubscribe_url": unsubscribe,
        "privacy_url": settings.base_url + "/donnees-personnelles",
    }


def _personal_link(db: Database, settings: Settings, *, deployment_id: int, participant_id: int) -> str:
    row = db.execute("SELECT salt FROM invitations WHERE deployment_id = ? AND participant_id = ? AND kind = 'personal'",
                     [deployment_id, participant_id]).fetchone()
    return invitation_url(settings.base_url, make_token(settings.secret_key, row[0]))


def letter_for(db: Database, message: dict, *, env: jinja2.Environment, settings: Settings,
               delivered_actions: DeliveredActions) -> Letter | None:
    """The letter an outbox row stands for, as of now (a test gets the sample, at the staff member's address); None
    when the person has no address any more."""
    if message["user_id"] is not None:
        email = db.execute("SELECT email FROM users WHERE id = ?", [message["user_id"]]).fetchone()[0]
        return sample_letter(db, kind=message["kind"], deployment_id=message["deployment_id"], env=env, settings=settings,
                             delivered_actions=delivered_actions, language=message["language"], recipient=email)
    person = db.execute(
        """SELECT p.code, c.name, c.email FROM participants p JOIN participant_contacts c ON c.participant_id = p.id
           WHERE p.id = ? AND c.email <> ''""", [message["participant_id"]]).fetchone()
    if person is None:
        return None  # the address was erased since: nothing to write
    code, name, email = person
    deployment = get_deployment(db, message["deployment_id"])
    unsubscribe = unsubscribe_url(settings.base_url, settings.secret_key, message["participant_id"], code)
    context = {**_common(db, deployment, settings, unsubscribe), "name": name}
    if message["kind"] == "changes":
        tested = previous_iteration(db, get_iteration(db, message["iteration_id"]))
        context |= {"changes": changes_after(db, tested, delivered_actions=delivered_actions),
                    "changes_url": changes_url(settings.base_url, settings.secret_key, tested["id"])}
    else:
        context["link"] = _personal_link(db, settings, deployment_id=deployment["id"], participant_id=message["participant_id"])
    subject, text, html = _render(env, message["kind"], context, message["language"])
    return Letter(subject, text, html, email, name, unsubscribe, message["language"], context["organisation"].name)


def _sample_changes(db: Database, deployment: dict, delivered_actions: DeliveredActions) -> Changes:
    """The next iteration's changelog as it stands (a draft until it is deployed), or a placeholder."""
    tested = get_iteration(db, deployment["variants"][0]["iteration_id"])
    following = next_iteration(db, tested)
    if following and following["changelog"].strip():
        return Changes(following["number"], changelog_blocks(following["changelog"]), delivered_actions(db, following["id"]))
    placeholder = _("(Ici, le journal des modifications de la version suivante, tel que l'équipe l'écrira.)")
    return Changes(tested["number"] + 1, [("text", placeholder)], [])


def sample_letter(db: Database, *, kind: str, deployment_id: int, env: jinja2.Environment, settings: Settings,
                  delivered_actions: DeliveredActions, language: str, recipient: str) -> Letter:
    """The letter a session's participants would get, with an example link instead of anyone's: previews and tests."""
    deployment = get_deployment(db, deployment_id)
    unsubscribe = settings.base_url + UNSUBSCRIBE_PATH + EXAMPLE_TOKEN
    context = {**_common(db, deployment, settings, unsubscribe), "name": "",
               "link": invitation_url(settings.base_url, EXAMPLE_TOKEN)}
    if kind == "changes":
        with speaking(language):
            context["changes"] = _sample_changes(db, deployment, delivered_actions)
        context["changes_url"] = settings.base_url + CHANGES_PATH + EXAMPLE_TOKEN
    subject, text, html = _render(env, kind, context, language)
    return Letter(subject, text, html, recipient, "", unsubscribe, language, context["organisation"].name)
