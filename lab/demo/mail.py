"""The demo's outbox: a few invitations of the open voirie session, shown as sent, and one refused.

The demo has no relay, so nothing is sent: each message is marked "simulé" (the outbox page and
the session's mail page say so next to its state), with replies a relay could have given.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlite_utils import Database

from feedback import mailings, outbox
from lab.clock import utcnow
from lab.demo.catalogue import DEPLOYMENTS
from lab.settings import Settings

#: The open session whose participants get the demo's invitations, and how many.
SESSION = DEPLOYMENTS[1][0]
INVITED = 6
SENT_REPLY = "250 2.0.0 Ok: queued as {queue_id} (simulé : la démonstration n'a pas de serveur d'envoi)"
FAILED_REPLY = "550 5.7.1 Message refusé par la politique du destinataire (simulé)"


def demo_outbox(db: Database, settings: Settings, info: object, rng: random.Random) -> None:
    """Invitations queued from the session's mail page, then "sent" (one refused), a mediator and a reminder."""
    if db.execute("SELECT 1 FROM outbox WHERE simulated = 1").fetchone():
        return
    deployment_id = db.execute("SELECT id FROM deployments WHERE title = ?", [SESSION]).fetchone()[0]
    now = utcnow()
    mailings.save_mail_settings(db, deployment_id=deployment_id, form=mailings.MailSettingsForm("01 23 45 67 89", "3"),
                                user_id=None, now=now)
    chosen = [row["id"] for row in mailings.recipients(db, deployment_id) if row["writable"]][:INVITED]
    mailings.queue_invitations(db, deployment_id=deployment_id, participant_ids=chosen, settings=settings, user_id=None,
                               now=now - timedelta(hours=2))
    ids = [row[0] for row in db.execute("SELECT id FROM outbox WHERE deployment_id = ? ORDER BY id", [deployment_id])]
    for index, outbox_id in enumerate(ids):
        refused = index == len(ids) - 1
        reply = FAILED_REPLY if refused else SENT_REPLY.format(queue_id=f"{rng.getrandbits(40):010X}")
        outbox.simulate(db, outbox_id, status="failed" if refused else "sent", reply=reply,
                        now=now - timedelta(hours=2) + timedelta(seconds=index))
