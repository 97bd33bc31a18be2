"""Who may use the citizen journey: the holder of a participant cookie, or a kiosk device.

Both dependencies carry an `access_rule` (deny by default, checked at start-up) and depend on
`csrf_guard`, so every unsafe request needs our token and our origin. They return None instead
of raising when there is no live session: the routes then show a friendly page (or send a kiosk
back to its welcome screen) rather than a bare error.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from feedback import sessions
from feedback.sessions import KIOSK_COOKIE, PARTICIPANT_COOKIE, ParticipantSession
from lab.access import Db, Rule, csrf_guard, current_user, requires
from lab.accounts import User
from lab.clock import utcnow
from lab.db import write

PARTICIPANT = Rule("participant", None)
KIOSK = Rule("kiosk", None)
#: Whoever holds an invitation link may open it: the token itself is the credential.
INVITATION = Rule("invitation", None)
#: Links in our e-mails (unsubscribe, what changed): the signed token in the URL is the credential. No CSRF
#: token: a mail client's one-click unsubscribe (RFC 8058) posts without our cookies, and a forger would need
#: the person's own link, which only their mailbox holds (HMAC with the secret key).
MAIL_LINK = Rule("mail_link", None, csrf=False)


def end_person(db, row: dict, *, now) -> None:
    """Close one person's kiosk session; a participant created for them who never consented goes too."""
    sessions.revoke(db, row["id"], now=now)
    if row["channel"] == "kiosk":
        db.execute(
            """DELETE FROM participants WHERE id = ? AND NOT EXISTS (SELECT 1 FROM trials WHERE participant_id = ?)
               AND NOT EXISTS (SELECT 1 FROM participant_sessions WHERE participant_id = ? AND revoked_at IS NULL)""",
            [row["participant_id"], row["participant_id"], row["participant_id"]],
        )


def participant_session(
    request: Request,
    db: Db,
    user: Annotated[User | None, Depends(current_user)],
    _csrf: Annotated[None, Depends(csrf_guard)],
) -> ParticipantSession | None:
    """The live participant session behind the cookie; idle kiosk sessions are ended here, server-side."""
    now = utcnow()
    token = request.cookies.get(PARTICIPANT_COOKIE)
    row = sessions.lookup(db, token)
    session = sessions.load(db, token, now=now) if row else None
    problem = None
    if session is None and row is not None and row["channel"] == "kiosk" and not row["revoked_at"]:
        with write(db):
            end_person(db, row, now=now)
        problem = "kiosk_idle"
    elif session is not None and session.assisted and (user is None or user.id != session.assisted_by):
        # A mediator's session only works in the mediator's own signed-in browser.
        session, problem = None, "assisted"
    request.state.participant = session
    request.state.participant_problem = problem or ("none" if session is None else None)
    return session


participant_session.access_rule = PARTICIPANT  # type: ignore[attr-defined]
Participant = Annotated[ParticipantSession | None, Depends(participant_session)]


def kiosk_device(request: Request, db: Db, _csrf: Annotated[None, Depends(csrf_guard)]) -> dict | None:
    """The running kiosk this device was turned into, if any."""
    kiosk = sessions.load_kiosk(db, request.cookies.get(KIOSK_COOKIE))
    return kiosk if kiosk and not kiosk["ended_at"] else None


kiosk_device.access_rule = KIOSK  # type: ignore[attr-defined]
KioskDevice = Annotated[dict | None, Depends(kiosk_device)]


def invitation_holder(_csrf: Annotated[None, Depends(csrf_guard)]) -> None:
    """Anyone may present a link; `lab.invitations.resolve` decides what it opens."""


invitation_holder.access_rule = INVITATION  # type: ignore[attr-defined]
InvitationHolder = Annotated[None, Depends(invitation_holder)]


MailLink = Annotated[None, requires(MAIL_LINK)]
