"""Staff accounts: argon2-hashed passwords, roles, activation."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from lab.clock import iso, utcnow
from lab.i18n import N_

ROLES = ("admin", "staff", "manager")
MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verifying against this keeps the timing of unknown e-mails equal to wrong passwords.
_DUMMY_HASH = _hasher.hash("servicelab-timing-equaliser")


class AccountError(ValueError):
    """A user-facing problem with account data: a French msgid and its `{name}` params, translated where shown."""

    def __init__(self, msgid: str, **params: object):
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params


@dataclass(frozen=True)
class User:
    """The part of a staff account that the rest of the app may see."""

    id: int
    email: str
    name: str
    role: str
    active: bool


def _to_user(row: dict) -> User:
    return User(row["id"], row["email"], row["name"], row["role"], bool(row["active"]))


def normalize_email(email: str) -> str:
    """The one form of an address that accounts, sign-in and its rate limits all use."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def create_user(db: Database, *, email: str, name: str, role: str, password: str) -> User:
    """Add an account after checking what a person could get wrong."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(N_("Adresse électronique invalide."))
    if role not in ROLES:
        raise AccountError(N_("Rôle inconnu : choisissez admin, staff ou manager."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(N_("Le mot de passe doit compter au moins {minimum} caractères."), minimum=MIN_PASSWORD_LENGTH)
    if db["users"].count_where("email = ?", [email]):
        raise AccountError(N_("Un compte existe déjà avec cette adresse."))
    user_id = db["users"].insert(
        {
            "email": email,
            "name": name.strip() or email,
            "role": role,
            "password_hash": _hasher.hash(password),
            "active": 1,
            "created_at": iso(utcnow()),
        }
    ).last_pk
    return get_user(db, user_id)


def get_user(db: Database, user_id: int) -> User | None:
    """Look an account up by id, None when it does not exist."""
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return _to_user(rows[0]) if rows else None


def authenticate(db: Database, email: str, password: str) -> User | None:
    """Return the active account matching these credentials, rehashing old parameters."""
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [normalize_email(email)]))
    row = rows[0] if rows else None
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row["active"]:
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        db["users"].update(row["id"], {"password_hash": _hasher.hash(password)})
    db["users"].update(row["id"], {"last_login_at": iso(utcnow())})
    return _to_user(row)


def list_users(db: Database) -> list[dict]:
    """All accounts for the admin screen, without password hashes."""
    return list(
        db.query("SELECT id, email, name, role, active, created_at, last_login_at FROM users ORDER BY email")
    )


def set_active(db: Database, email: str, active: bool) -> User:
    """Disable (or re-enable) an account; disabling also ends its sessions."""
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [normalize_email(email)]))
    if not rows:
        raise AccountError(N_("Aucun compte avec cette adresse."))
    db["users"].update(rows[0]["id"], {"active": int(active)})
    if not active:
        db.execute(
            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            [iso(utcnow()), rows[0]["id"]],
        )
    return get_user(db, rows[0]["id"])
