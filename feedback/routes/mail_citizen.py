"""What citizens do with our e-mails: ask for one at the end of a test, unsubscribe, read what changed.

The two pages reached from a message need no login and no cookie: the signed token in their
address is the credential (`feedback.mail_links`). Opening the unsubscribe page changes
nothing (mail scanners open links too); its button, or a mail client's one-click POST
(RFC 8058, `List-Unsubscribe-Post`), does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from feedback import journey as rules
from feedback.access import MailLink, Participant
from feedback.changes import changes_after
from feedback.mail_consent import preferences, set_opt_in, unsubscribe
from feedback.mail_links import changed_iteration, unsubscriber
from feedback.routes.pages import journey_or_stop
from feedback.routes.participant import thanks_page
from lab.access import Db
from lab.campaigns.groups import get_participant
from lab.clock import utcnow
from lab.db import write
from lab.errors import error_response
from lab.i18n import current_locale
from lab.i18n import gettext as _
from lab.problems import FormRefused
from lab.web import redirect, render
from prototypes.store import get_iteration, get_prototype

router = APIRouter()


@router.post("/take/merci/courriel")
def mail_choice(
    request: Request,
    db: Db,
    session: Participant,
    changes: Annotated[str, Form(max_length=10)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    """Record the end-of-test choice: write to me (once) when the next version shows what changed, or not."""
    now = utcnow()
    journey = journey_or_stop(request, db, session, now, submitting=True)
    if isinstance(journey, Response):
        return journey
    decision = rules.thanks(journey.position)
    if not isinstance(decision, rules.Show):
        return redirect(request, decision.url)
    if not request.app.state.settings.smtp.configured:
        return error_response(request, 409, _("Ce laboratoire n'envoie pas de courriels pour le moment."))
    on_file = get_participant(db, session.participant_id)["email"] or ""
    try:
        with write(db):
            set_opt_in(db, participant_id=session.participant_id, deployment_id=journey.deployment["id"],
                       iteration_id=journey.trial["iteration_id"], wanted=changes == "oui", email=email,
                       address_on_file=on_file, language=current_locale.get(), now=now)
    except FormRefused as exc:
        refused = {"ticked": changes == "oui", "email": email, "problems": exc.problems}
        return thanks_page(request, db, journey, refused=refused, status_code=422)
    return redirect(request, "/take/merci?courriel=enregistre#courriel")


def _unsubscribe_page(request: Request, db, token: str, *, done: bool) -> Response:
    participant_id = unsubscriber(db, request.app.state.settings.secret_key, token[:200])
    if participant_id is None:
        return error_response(request, 404, _("Ce lien de désinscription n'est pas ou plus valide. Si vos données ont été "
                                              "effacées, vous ne recevrez plus aucun courriel de notre part."))
    if done:
        with write(db):
            unsubscribe(db, participant_id=participant_id, language=current_locale.get(), now=utcnow())
    already = bool((preferences(db, participant_id) or {}).get("unsubscribed_at"))
    return render(request, "feedback/unsubscribe.html", {"token": token, "unsubscribed": already})


@router.get("/courriels/desinscription/{token}")
def unsubscribe_form(request: Request, db: Db, _link: MailLink, token: str) -> Response:
    """Say what unsubscribing does, with the one button that does it (opening the link changes nothing)."""
    return _unsubscribe_page(request, db, token, done=False)


@router.post("/courriels/desinscription/{token}")
def unsubscribe_now(request: Request, db: Db, _link: MailLink, token: str) -> Response:
    """Unsubscribe for good: from the page's button, or from a mail client's one-click POST (no cookie, no CSRF token)."""
    return _unsubscribe_page(request, db, token, done=True)


@router.get("/courriels/changements/{token}")
def changes_page(request: Request, db: Db, _link: MailLink, token: str) -> Response:
    """What the version after a tested one changed, for people who asked to be told (no login, no personal data)."""
    iteration_id = changed_iteration(request.app.state.settings.secret_key, token[:200])
    tested = get_iteration(db, iteration_id) if iteration_id else None
    changes = changes_after(db, tested, delivered_actions=request.app.state.delivered_actions) if tested else None
    if changes is None:
        return error_response(request, 404, _("Ce lien n'est pas ou plus valide."))
    title = get_prototype(db, tested["prototype_id"])["title"]
    return render(request, "feedback/mail_changes.html", {"changes": changes, "title": title, "session": None})
