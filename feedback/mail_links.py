"""The links our messages carry (unsubscribe, what changed): signed with the secret key, nothing stored.

A token is ``<id>.<mac>`` where the MAC is an HMAC-SHA256 of the purpose, the id and, for a
person, their participant code: a code is never reused, so a link keeps pointing at the person
it was written for even if an erased participant's number is given again. Like invitation links,
rotating LAB_SECRET_KEY invalidates the links already sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from sqlite_utils import Database

MAC_BYTES = 18
_TOKEN = re.compile(r"([1-9][0-9]{0,17})\.([A-Za-z0-9_-]{24})")
UNSUBSCRIBE_PATH = "/courriels/desinscription/"
CHANGES_PATH = "/courriels/changements/"


def _mac(secret_key: str, *parts: object) -> str:
    message = ":".join(str(part) for part in parts).encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode()


def _read(token: str) -> tuple[int, str] | None:
    match = _TOKEN.fullmatch(token)
    return (int(match.group(1)), match.group(2)) if match else None


def unsubscribe_token(secret_key: str, participant_id: int, code: str) -> str:
    """The token of one person's unsubscribe link."""
    return f"{participant_id}.{_mac(secret_key, 'unsubscribe', participant_id, code)}"


def unsubscribe_url(base_url: str, secret_key: str, participant_id: int, code: str) -> str:
    """The unsubscribe link of one person (List-Unsubscribe and the message's footer)."""
    return base_url + UNSUBSCRIBE_PATH + unsubscribe_token(secret_key, participant_id, code)


def unsubscriber(db: Database, secret_key: str, token: str) -> int | None:
    """The participant an unsubscribe link names; None when the link is not ours or the person was erased since
    (one answer for both: a link says nothing about who exists)."""
    read = _read(token)
    if read is None:
        return None
    participant_id, mac = read
    row = db.execute("SELECT code FROM participants WHERE id = ?", [participant_id]).fetchone()
    if row and hmac.compare_digest(mac, _mac(secret_key, "unsubscribe", participant_id, row[0])):
        return participant_id
    return None


def changes_url(base_url: str, secret_key: str, iteration_id: int) -> str:
    """The public page telling what changed after a tested iteration."""
    return f"{base_url}{CHANGES_PATH}{iteration_id}.{_mac(secret_key, 'changes', iteration_id)}"


def changed_iteration(secret_key: str, token: str) -> int | None:
    """The tested iteration a "ce qui a changé" link is about, when the link is ours."""
    read = _read(token)
    if read is None or not hmac.compare_digest(read[1], _mac(secret_key, "changes", read[0])):
        return None
    return read[0]
