"""Staff screens for e-mail: the outbox, and per session the invitations, the reminder, previews and test sends.

Routes only queue: the background worker sends, at the relay's pace, so no request ever waits
for a mail server. Every message can be previewed before anything goes, and tried first at the
staff member's own address (the example link in a test is nobody's).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from feedback import mailings, outbox
from feedback.letters import sample_letter, style_hash
from feedback.mail_consent import UNSUBSCRIBED, opt_in_count
from feedback.mailings import FINISHED, LINK_REVOKED, NO_ADDRESS, SESSION_CLOSED, MailSettingsForm
from lab import audit
from lab.access import Db, StaffUser
from lab.campaigns.deployments import get_deployment, state
from lab.clock import utcnow
from lab.db import write
from lab.errors import error_response
from lab.i18n import LOCALES, N_, current_locale
from lab.i18n import gettext as _
from lab.lookups import found
from lab.problems import FormRefused
from lab.smtp import sender
from lab.web import Id, form_problems, redirect, render
from prototypes.store import get_iteration, next_iteration

router = APIRouter()

Short = Annotated[str, Form(max_length=40)]
KINDS = {"invitation": N_("Invitation"), "reminder": N_("Rappel"), "changes": N_("Ce qui a changé grâce à vous")}
STATUSES = {"queued": N_("en attente"), "sending": N_("en cours d'envoi"), "sent": N_("envoyé"), "failed": N_("échec"),
            "bounced": N_("adresse refusée"), "unknown": N_("incertain"), "cancelled": N_("annulé")}
#: What the outbox says instead of a relay's reply when we stopped a message ourselves.
EXPLANATIONS = {
    outbox.INTERRUPTED: N_("Envoi interrompu par un redémarrage : le message a peut-être été remis. Vérifiez avant de le renvoyer."),
    outbox.NOT_WRITTEN: N_("Le message n'a pas pu être rédigé : l'erreur est dans le journal du serveur."),
    UNSUBSCRIBED: N_("La personne s'est désinscrite."),
    NO_ADDRESS: N_("Plus d'adresse pour cette personne."),
    LINK_REVOKED: N_("Son lien personnel a été révoqué."),
    SESSION_CLOSED: N_("La session de test est close."),
    FINISHED: N_("La personne a terminé le test."),
}
#: The HTML letter shown alone: our own markup, its one style block allowed by hash, nothing else.
PREVIEW_CSP = ("default-src 'self'; style-src {style}; img-src 'none'; form-action 'none'; frame-ancestors 'none'; "
               "base-uri 'none'; object-src 'none'")
MISSING = N_("Cette session de test n'existe pas.")


def _labels() -> dict:
    return {"kinds": KINDS, "statuses": STATUSES, "explanations": EXPLANATIONS}


def _mail_off(request: Request) -> Response | None:
    """The 409 page when no relay is configured: nothing could be sent."""
    if request.app.state.settings.smtp.configured:
        return None
    return error_response(request, 409, _("L'envoi de courriels n'est pas configuré sur ce serveur : aucun message ne "
                                          "peut partir. Voir « Courriels » dans le README (variables LAB_SMTP_…)."))


@router.get("/lab/courriels")
def outbox_page(request: Request, db: Db, _staff: StaffUser, etat: str = "") -> Response:
    """Every message queued or sent, newest first, with the relay's replies; failed ones can be sent again."""
    status = etat if etat in STATUSES else None
    context = {"relay": request.app.state.settings.smtp, "counts": outbox.counts(db), "status": status,
               "messages": outbox.latest(db, status=status), **_labels()}
    return render(request, "feedback/outbox.html", context)


@router.post("/lab/courriels/{mail_id}/renvoyer")
def resend(request: Request, db: Db, staff: StaffUser, mail_id: Id) -> Response:
    """Queue a failed, bounced or uncertain message again, under the same Message-ID."""
    message = found(outbox.get_message(db, mail_id), _("Ce message n'existe pas (ou plus)."))
    if off := _mail_off(request):
        return off
    with write(db):
        queued = outbox.resend(db, mail_id, now=utcnow())
        if queued:
            audit.record(db, user_id=staff.id, action="mail.resend", object_type="outbox", object_id=mail_id,
                         detail={"kind": message["kind"], "was": message["status"]})
    if not queued:
        return error_response(request, 409, _("Seul un message en échec, refusé ou incertain peut être renvoyé."))
    request.app.state.worker.wake()
    return redirect(request, "/lab/courriels")


# --- one session ------------------------------------------------------------------------------


def _session_page(request: Request, db, deployment: dict, *, form: MailSettingsForm | None = None,
                  problems: list | tuple = (), status_code: int = 200) -> Response:
    settings_row = mailings.mail_settings(db, deployment["id"])
    people = mailings.recipients(db, deployment["id"])
    sent = outbox.per_person(db, deployment["id"])
    tested = get_iteration(db, deployment["variants"][0]["iteration_id"])
    context = {
        "deployment": deployment, "state": state(deployment, utcnow()), "relay": request.app.state.settings.smtp,
        "people": [{**person, "mail": sent.get(person["id"], {})} for person in people],
        "settings_row": settings_row,
        "reminder_at": mailings.reminder_moment(deployment["closes_at"], settings_row["reminder_days"]),
        "form": form or MailSettingsForm(settings_row["mediator_phone"], str(settings_row["reminder_days"] or "")),
        "counts": outbox.counts(db, deployment_id=deployment["id"]), "opted_in": opt_in_count(db, deployment["id"]),
        "next_iteration": next_iteration(db, tested), **_labels(), **form_problems(problems),
    }
    return render(request, "feedback/deployment_mail.html", context, status_code=status_code)


@router.get("/lab/deployments/{deployment_id}/courriels")
def session_mail(request: Request, db: Db, _staff: StaffUser, deployment_id: Id) -> Response:
    """Who can be written to, what each person was sent, the reminder and the mediator's telephone."""
    return _session_page(request, db, found(get_deployment(db, deployment_id), _(MISSING)))


@router.post("/lab/deployments/{deployment_id}/courriels/invitations")
def send_invitations(
    request: Request, db: Db, staff: StaffUser, deployment_id: Id, qui: Short = "nouveaux",
    participants: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Queue personal invitations: to everyone not yet invited by e-mail, or to the people ticked."""
    deployment = found(get_deployment(db, deployment_id), _(MISSING))
    if off := _mail_off(request):
        return off
    chosen = None if qui == "nouveaux" else [int(p) for p in participants or [] if p.isdigit() and len(p) < 19]
    try:
        with write(db):
            queued = mailings.queue_invitations(db, deployment_id=deployment_id, participant_ids=chosen,
                                                settings=request.app.state.settings, user_id=staff.id, now=utcnow())
            audit.record(db, user_id=staff.id, action="mail.invitations", object_type="deployment",
                         object_id=deployment_id, detail={"queued": queued})
    except FormRefused as exc:
        return _session_page(request, db, deployment, problems=exc.problems, status_code=422)
    request.app.state.worker.wake()
    return redirect(request, f"/lab/deployments/{deployment_id}/courriels#destinataires")


@router.post("/lab/deployments/{deployment_id}/courriels/reglages")
def save_settings(request: Request, db: Db, staff: StaffUser, deployment_id: Id, mediator_phone: Short = "",
                  reminder_days: Short = "") -> Response:
    """Save the mediator's telephone (printed in invitations and reminders) and the reminder's day."""
    deployment = found(get_deployment(db, deployment_id), _(MISSING))
    form = MailSettingsForm(mediator_phone, reminder_days)
    try:
        with write(db):
            mailings.save_mail_settings(db, deployment_id=deployment_id, form=form, user_id=staff.id, now=utcnow())
            audit.record(db, user_id=staff.id, action="mail.settings", object_type="deployment", object_id=deployment_id,
                         detail={"reminder_days": reminder_days, "mediator_phone": bool(mediator_phone.strip())})
    except FormRefused as exc:
        return _session_page(request, db, deployment, form=form, problems=exc.problems, status_code=422)
    request.app.state.worker.wake()  # a reminder already due goes at once
    return redirect(request, f"/lab/deployments/{deployment_id}/courriels#relance")


def _known(db, deployment_id: int, kind: str) -> None:
    """The 404 page for an unknown session or kind of message."""
    found(get_deployment(db, deployment_id), _(MISSING))
    if kind not in KINDS:
        raise HTTPException(404, _("Ce type de message n'existe pas."))


def _sample(request: Request, db, deployment_id: int, kind: str, language: str, recipient: str):
    """The example letter of a kind of message, in `language`, to `recipient`."""
    _known(db, deployment_id, kind)
    state_ = request.app.state
    return sample_letter(db, kind=kind, deployment_id=deployment_id, env=state_.templates.env, settings=state_.settings,
                         delivered_actions=state_.delivered_actions, language=language, recipient=recipient)


def _language(value: str) -> str:
    return value if value in LOCALES else current_locale.get()


@router.get("/lab/deployments/{deployment_id}/courriels/apercu/{kind}")
def preview(request: Request, db: Db, staff: StaffUser, deployment_id: Id, kind: str, langue: str = "",
            essai: str = "") -> Response:
    """A message as people will read it (text and HTML), before anything is sent."""
    language = _language(langue)
    letter = _sample(request, db, deployment_id, kind, language, staff.email)
    relay = request.app.state.settings.smtp
    context = {"deployment": get_deployment(db, deployment_id), "kind": kind, "letter": letter, "language": language,
               "relay": relay, "sender": sender(relay, letter.sender_name), "test_queued": essai == "1", **_labels()}
    return render(request, "feedback/mail_preview.html", context)


@router.get("/lab/deployments/{deployment_id}/courriels/apercu/{kind}/html")
def preview_html(request: Request, db: Db, staff: StaffUser, deployment_id: Id, kind: str, langue: str = "") -> Response:
    """The HTML part alone, as a mail client shows it."""
    letter = _sample(request, db, deployment_id, kind, _language(langue), staff.email)
    return HTMLResponse(letter.html, headers={"Content-Security-Policy": PREVIEW_CSP.format(style=style_hash())})


@router.post("/lab/deployments/{deployment_id}/courriels/essai")
def test_send(request: Request, db: Db, staff: StaffUser, deployment_id: Id, kind: Short = "", langue: Short = "") -> Response:
    """Send the example of a message to the staff member's own address, through the real outbox and relay."""
    _known(db, deployment_id, kind)
    if off := _mail_off(request):
        return off
    language = _language(langue)
    with write(db):
        outbox.queue(db, kind=kind, user_id=staff.id, deployment_id=deployment_id, language=language,
                     domain=mailings.message_domain(request.app.state.settings), now=utcnow(), created_by=staff.id)
        audit.record(db, user_id=staff.id, action="mail.test", object_type="deployment", object_id=deployment_id,
                     detail={"kind": kind})
    request.app.state.worker.wake()
    return redirect(request, f"/lab/deployments/{deployment_id}/courriels/apercu/{kind}?langue={language}&essai=1")
