"""Staff accounts: argon2-hashed passwords, temporary passwords, roles, activation."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from lab.clock import iso, utcnow
from lab.i18n import N_

#: Least privilege first: forms offer roles in this order and preselect the first.
ROLES = ("manager", "staff", "admin")
ROLE_LABELS = {
    "manager": N_("Direction"),
    "staff": N_("Équipe du laboratoire"),
    "admin": N_("Administrateur·rice"),
}
ROLE_HINTS = {
    "manager": N_("lit les rapports et le portefeuille, enregistre les décisions"),
    "staff": N_("prototypes, groupes de test, sessions, thèmes et actions"),
    "admin": N_("tout ce que fait l'équipe, plus les comptes, l'identité de la collectivité et le journal"),
}
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
_hasher = PasswordHasher()
# Verifying against this keeps the timing of unknown e-mails equal to wrong passwords.
_DUMMY_HASH = _hasher.hash("servicelab-timing-equaliser")


class AccountError(ValueError):
    """A user-facing problem with account data: a French msgid, its `{name}` params and the form field it concerns."""

    def __init__(self, msgid: str, *, field: str | None = None, **params: object):
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params
        self.field = field


@dataclass(frozen=True)
class User:
    """The part of a staff account that the rest of the app may see."""

    id: int
    email: str
    name: str
    role: str
    active: bool
    must_change_password: bool = False


def _to_user(row: dict) -> User:
    return User(row["id"], row["email"], row["name"], row["role"], bool(row["active"]),
                bool(row["must_change_password"]))


def normalize_email(email: str) -> str:
    """The one form of an address that accounts, sign-in and its rate limits all use."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def check_new_password(password: str) -> None:
    """The one rule every new password follows, whoever sets it."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(N_("Le mot de passe doit compter au moins {minimum} caractères."), field="password",
                           minimum=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(N_("Le mot de passe doit compter {maximum} caractères au plus."), field="password",
                           maximum=MAX_PASSWORD_LENGTH)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(N_("Rôle inconnu : choisissez direction, équipe du laboratoire ou administrateur·rice."),
                           field="role")


def create_user(db: Database, *, email: str, name: str, role: str, password: str, temporary: bool = False) -> User:
    """Add an account after checking what a person could get wrong; a `temporary` password must be changed at sign-in."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(N_("Adresse électronique invalide."), field="email")
    _check_role(role)
    check_new_password(password)
    if db["users"].count_where("email = ?", [email]):
        raise AccountError(N_("Un compte existe déjà avec cette adresse."), field="email")
    now = iso(utcnow())
    user_id = db["users"].insert(
        {
            "email": email,
            "name": name.strip() or email,
            "role": role,
            "password_hash": _hasher.hash(password),
            "active": 1,
            "created_at": now,
            "must_change_password": int(temporary),
            "password_changed_at": now,
        }
    ).last_pk
    return get_user(db, user_id)


def get_user(db: Database, user_id: int) -> User | None:
    """Look an account up by id, None when it does not exist."""
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return _to_user(rows[0]) if rows else None


def user_by_email(db: Database, email: str) -> User:
    """The account with this address, or AccountError (the command line names accounts by address)."""
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [normalize_email(email)]))
    if not rows:
        raise AccountError(N_("Aucun compte avec cette adresse."), field="email")
    return _to_user(rows[0])


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
        db.query(
            """SELECT id, email, name, role, active, created_at, last_login_at, must_change_password
               FROM users ORDER BY email"""
        )
    )


def end_sessions(db: Database, user_id: int, *, keep_session_id: str | None = None) -> int:
    """Revoke every open session of an account but `keep_session_id` (a session row's id); how many ended."""
    return db.execute(
        "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id IS NOT ?",
        [iso(utcnow()), user_id, keep_session_id],
    ).rowcount


def _set_password(db: Database, user_id: int, password: str, *, temporary: bool) -> None:
    check_new_password(password)
    db["users"].update(user_id, {"password_hash": _hasher.hash(password), "must_change_password": int(temporary),
                                 "password_changed_at": iso(utcnow())})


def change_password(db: Database, user: User, *, current: str, new: str, keep_session_id: str | None) -> int:
    """The owner chooses a new password (proving the current one); their other sessions end. Returns how many."""
    row = db.execute("SELECT password_hash FROM users WHERE id = ?", [user.id]).fetchone()
    try:
        _hasher.verify(row[0], current)
    except (VerificationError, InvalidHashError):
        raise AccountError(N_("Le mot de passe actuel est incorrect."), field="current") from None
    if new == current:
        raise AccountError(N_("Choisissez un mot de passe différent de l'actuel."), field="password")
    _set_password(db, user.id, new, temporary=False)
    return end_sessions(db, user.id, keep_session_id=keep_session_id)


def reset_password(db: Database, user_id: int, *, password: str) -> int:
    """An admin gives a temporary password: every session of the account ends and the next sign-in must change it."""
    _set_password(db, user_id, password, temporary=True)
    return end_sessions(db, user_id)


def _active_admins(db: Database) -> int:
    return db["users"].count_where("role = 'admin' AND active = 1")


def set_role(db: Database, user_id: int, role: str) -> str:
    """Give an account another role, never leaving the lab without an active admin; the previous role."""
    _check_role(role)
    before = get_user(db, user_id)
    if before.role == "admin" and role != "admin" and before.active and _active_admins(db) <= 1:
        raise AccountError(N_("C'est le dernier compte administrateur actif : nommez d'abord un autre administrateur."),
                           field="role")
    db["users"].update(user_id, {"role": role})
    return before.role


def set_active(db: Database, email: str, active: bool) -> User:
    """Disable (or re-enable) an account; disabling also ends its sessions, never the last active admin."""
    user = user_by_email(db, email)
    if not active and user.role == "admin" and user.active and _active_admins(db) <= 1:
        raise AccountError(N_("C'est le dernier compte administrateur actif : nommez d'abord un autre administrateur."))
    db["users"].update(user.id, {"active": int(active)})
    if not active:
        end_sessions(db, user.id)
    return get_user(db, user.id)
