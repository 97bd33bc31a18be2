"""`lab users …`: staff accounts from the command line (the first admin, a lost admin password), audited like the web."""

from __future__ import annotations

import click

from lab import audit
from lab.accounts import ROLES, AccountError, create_user, list_users, reset_password, set_active, set_role, user_by_email
from lab.commands import Runtime, pass_runtime
from lab.db import write


@click.group()
def users() -> None:
    """Manage staff accounts."""


def _audited(runtime: Runtime, action: str, change) -> None:
    """Run one account change with its audit entry (no author: the command line), or stop with the reason."""
    with runtime.database() as db:
        try:
            with write(db):
                user, detail = change(db)
                audit.record(db, user_id=None, action=action, object_type="user", object_id=user.id,
                             detail={"email": user.email, "via": "cli", **detail})
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc


@users.command("add")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
@click.option("--role", type=click.Choice(ROLES), default=ROLES[0], show_default=True, help="Least privilege by default.")
@click.option("--temporary", is_flag=True, help="The password is temporary: its owner must choose another at first sign-in.")
@click.password_option(help="At least 12 characters (asked if not given).")
@pass_runtime
def users_add(runtime: Runtime, email: str, name: str, role: str, temporary: bool, password: str) -> None:
    """Create an account."""

    def change(db):
        user = create_user(db, email=email, name=name, role=role, password=password, temporary=temporary)
        return user, {"role": role}

    _audited(runtime, "user.create", change)
    click.echo(f"Compte créé : {email} ({role})")


@users.command("list")
@pass_runtime
def users_list(runtime: Runtime) -> None:
    """List accounts."""
    with runtime.database() as db:
        for row in list_users(db):
            state = "désactivé" if not row["active"] else "provisoire" if row["must_change_password"] else "actif"
            click.echo(f"{row['email']}\t{row['role']}\t{state}\t{row['name']}")


@users.command("role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
@pass_runtime
def users_role(runtime: Runtime, email: str, role: str) -> None:
    """Give an account another role (never leaving the lab without an active admin)."""

    def change(db):
        user = user_by_email(db, email)
        return user, {"from": set_role(db, user.id, role), "to": role}

    _audited(runtime, "user.role", change)
    click.echo(f"Rôle de {email} : {role}")


@users.command("password")
@click.argument("email")
@click.password_option(help="A temporary password of at least 12 characters (asked if not given).")
@pass_runtime
def users_password(runtime: Runtime, email: str, password: str) -> None:
    """Give an account a temporary password: its sessions end and it must choose another at sign-in."""

    def change(db):
        user = user_by_email(db, email)
        return user, {"sessions_ended": reset_password(db, user.id, password=password)}

    _audited(runtime, "user.password_reset", change)
    click.echo(f"Mot de passe provisoire enregistré pour {email} : il devra être changé à la prochaine connexion.")


def _set_active(runtime: Runtime, email: str, active: bool) -> None:
    _audited(runtime, "user.enable" if active else "user.disable", lambda db: (set_active(db, email, active), {}))


@users.command("disable")
@click.argument("email")
@pass_runtime
def users_disable(runtime: Runtime, email: str) -> None:
    """Disable an account and end its sessions."""
    _set_active(runtime, email, False)
    click.echo(f"Compte désactivé : {email}")


@users.command("enable")
@click.argument("email")
@pass_runtime
def users_enable(runtime: Runtime, email: str) -> None:
    """Re-enable a disabled account."""
    _set_active(runtime, email, True)
    click.echo(f"Compte réactivé : {email}")
