"""The audit log in words: who did what, as a French sentence (English in the catalogue) for each action code.

Codes are recorded by every layer (`audit.record(action="themes.merge", ...)`); their sentences are
gathered here as plain text so the log reads the same whatever layer wrote it. A code nobody
described yet still reads as a sentence naming it, with its detail as "key: value" pairs, never JSON.
Sentences take `{name}` values from the entry's detail, plus `email` (the account acted upon) and
translated role names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lab.accounts import ROLE_LABELS
from lab.clock import local_text
from lab.i18n import N_
from lab.i18n import gettext as _

#: code → (what the action filter offers, the sentence after the actor's name), grouped as the filter shows them.
ACTIONS: dict[str, tuple[str, str]] = {
    # Accounts and the collectivité
    "login": (N_("Connexion"), N_("s'est connecté·e")),
    "logout": (N_("Déconnexion"), N_("s'est déconnecté·e")),
    "account.password_change": (N_("Changement de son propre mot de passe"), N_("a changé son mot de passe")),
    "user.create": (N_("Création d'un compte"), N_("a créé le compte de {email} (rôle : {role_label})")),
    "user.role": (N_("Changement de rôle"), N_("a changé le rôle de {email} : {from_label} → {to_label}")),
    "user.password_reset": (N_("Mot de passe provisoire donné"),
                            N_("a donné un mot de passe provisoire à {email} et fermé ses sessions")),
    "user.disable": (N_("Désactivation d'un compte"), N_("a désactivé le compte de {email}")),
    "user.enable": (N_("Réactivation d'un compte"), N_("a réactivé le compte de {email}")),
    "organisation.update": (N_("Identité de la collectivité"), N_("a modifié l'identité de la collectivité « {name} »")),
    # Prototypes
    "prototype.create": (N_("Création d'un prototype"), N_("a créé un prototype")),
    "iteration.create": (N_("Nouvelle itération"), N_("a préparé une nouvelle itération")),
    "iteration.update": (N_("Modification d'une itération"), N_("a modifié la description d'une itération")),
    # Groups and participants
    "group.create": (N_("Création d'un groupe de test"), N_("a créé un groupe de test")),
    "group.update": (N_("Modification d'un groupe de test"), N_("a modifié un groupe de test")),
    "participants.add": (N_("Ajout de participant·es"), N_("a ajouté des participant·es (nombre : {count})")),
    "participants.import": (N_("Import de participant·es"),
                            N_("a importé une liste de participant·es ({created} créé·es, {problems} lignes refusées)")),
    "participant.create": (N_("Ajout d'un·e participant·e"), N_("a ajouté le ou la participant·e {code}")),
    "participant.contact_erase": (N_("Effacement de coordonnées"), N_("a effacé les coordonnées de {code}")),
    "participant.erase": (N_("Effacement des données d'un·e participant·e"),
                          N_("a effacé toutes les données de {code}")),
    "participant.erase_self": (N_("Effacement demandé par un·e participant·e"),
                               N_("a effacé ses données de participant·e ({rows} éléments)")),
    # Sessions and invitations
    "deployment.create": (N_("Ouverture d'une session de test"),
                          N_("a créé une session de test ({personal_invitations} invitations personnelles)")),
    "deployment.close": (N_("Fermeture d'une session de test"), N_("a fermé une session de test")),
    "invitations.generate": (N_("Invitations personnelles"), N_("a créé {created} invitations personnelles")),
    "invitation.create_shared": (N_("Lien partagé"), N_("a créé un lien partagé ({max_uses} utilisations au plus)")),
    "invitation.revoke": (N_("Révocation d'une invitation"), N_("a révoqué une invitation")),
    "invitations.export": (N_("Export des invitations"), N_("a exporté {links} liens d'invitation")),
    "trial.assist": (N_("Saisie assistée"), N_("a commencé une saisie assistée ({via})")),
    "kiosk.start": (N_("Mise en place d'une borne"), N_("a transformé un appareil en borne de test")),
    "kiosk.stop": (N_("Arrêt des bornes"), N_("a arrêté les bornes de la session ({kiosks})")),
    "comments.import": (N_("Import de commentaires"),
                        N_("a importé des commentaires depuis « {file} » ({added} ajoutés, {refused} refusés)")),
    # Mail
    "mail.invitations": (N_("Invitations par courriel"), N_("a mis {queued} invitations par courriel en file d'envoi")),
    "mail.settings": (N_("Réglages des courriels d'une session"),
                      N_("a modifié les réglages des courriels d'une session (relance, téléphone du médiateur)")),
    "mail.test": (N_("Envoi d'essai"), N_("s'est envoyé un courriel d'essai")),
    "mail.resend": (N_("Renvoi d'un courriel"), N_("a renvoyé un courriel")),
    # Themes and actions
    "themes.analyse": (N_("Analyse des commentaires"), N_("a lancé une analyse des commentaires")),
    "themes.rename": (N_("Renommage d'un thème"), N_("a renommé un thème en « {label} »")),
    "themes.merge": (N_("Fusion de thèmes"), N_("a fusionné deux thèmes")),
    "themes.split": (N_("Division d'un thème"), N_("a divisé un thème en {parts}")),
    "themes.move": (N_("Déplacement d'un commentaire"), N_("a déplacé un commentaire vers un autre thème")),
    "themes.noise": (N_("Commentaire mis dans « Autres »"), N_("a placé un commentaire dans « Autres »")),
    "action.create": (N_("Création d'une action d'amélioration"), N_("a créé une action d'amélioration")),
    "action.status": (N_("État d'une action d'amélioration"), N_("a changé l'état d'une action d'amélioration")),
    "action.deliver": (N_("Livraison d'une action d'amélioration"),
                       N_("a indiqué qu'une itération livre une action d'amélioration")),
    # Reports
    "report.export": (N_("Export de données"), N_("a exporté les données d'une itération ({format})")),
    "decision.record": (N_("Décision"), N_("a enregistré une décision")),
}

#: A few codes read differently when a detail says so: (code, detail key, value) → sentence.
VARIANTS: dict[tuple[str, str, object], str] = {
    ("action.deliver", "delivered", False): N_("a indiqué qu'une itération ne livre plus une action d'amélioration"),
    ("invitations.export", "contacts", True): N_("a exporté {links} liens d'invitation avec les coordonnées des participant·es"),
}

#: What an object type is called and where its page is (None: no page of its own).
OBJECTS: dict[str, tuple[str, str | None]] = {
    "user": (N_("compte n° {id}"), "/admin/users/{id}"),
    "organisation": (N_("identité de la collectivité"), "/admin/organisation"),
    "prototype": (N_("prototype n° {id}"), "/lab/prototypes/{id}"),
    "iteration": (N_("itération n° {id}"), "/lab/iterations/{id}"),
    "test_group": (N_("groupe n° {id}"), "/lab/groups/{id}"),
    "participant": (N_("participant·e n° {id}"), None),
    "deployment": (N_("session de test n° {id}"), "/lab/deployments/{id}"),
    "invitation": (N_("invitation n° {id}"), None),
    "redesign_action": (N_("action d'amélioration n° {id}"), None),
}

#: Who acted when no account did: a participant erasing their own data, else the command line or the demo.
WITHOUT_ACCOUNT = {"participant.erase_self": N_("Un·e participant·e")}
SYSTEM = N_("Le système (ligne de commande ou démonstration)")


class _Values(dict):
    """Sentence values; one a sentence names but the entry lacks reads as an ellipsis, never an error."""

    def __missing__(self, key: str) -> str:
        return "…"


def _fill(msgid: str, values: Mapping[str, object]) -> str:
    return _(msgid).format_map(_Values(values))


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key} : {_shown(item)}" for key, item in value.items())
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Described:
    """One audit entry as the log page shows it."""

    at: str
    actor: str
    actor_email: str | None
    sentence: str
    object_label: str | None
    object_url: str | None
    extra: tuple[tuple[str, str], ...] = ()


def action_label(code: str) -> str:
    """The action filter's name for a code (the code itself when nobody described it)."""
    return _(ACTIONS[code][0]) if code in ACTIONS else code


def describe(entry: Mapping) -> Described:
    """An entry (from `audit.search`) in words: its author with their address, a sentence, the object with its page."""
    code, detail = entry["action"], entry.get("detail_") or {}
    values: dict[str, object] = {key: _shown(value) for key, value in detail.items()}
    values["email"] = detail.get("email") or entry.get("target_email") or "…"
    for key in ("role", "from", "to"):
        if detail.get(key) in ROLE_LABELS:
            values[f"{key}_label"] = _(ROLE_LABELS[detail[key]])
    extra: tuple[tuple[str, str], ...] = ()
    if code in ACTIONS:
        variants = [text for (variant, key, value), text in VARIANTS.items() if variant == code and detail.get(key) == value]
        sentence = _fill(variants[0] if variants else ACTIONS[code][1], values)
    else:
        sentence = _("a effectué l'action « %(code)s »", code=code)
        extra = tuple((key, _shown(value)) for key, value in detail.items())
    object_label = object_url = None
    if entry.get("object_type"):
        name, url = OBJECTS.get(entry["object_type"], (entry["object_type"] + " {id}", None))
        ident = entry.get("object_id") if entry.get("object_id") is not None else "…"
        object_label = _(name).format(id=ident) if entry["object_type"] in OBJECTS else name.format(id=ident)
        object_url = url.format(id=ident) if url and entry.get("object_id") is not None else None
    if entry.get("user_id") is not None:
        actor, email = entry["user_name"], entry["user_email"]  # accounts are disabled, never deleted
    else:
        actor, email = _(WITHOUT_ACCOUNT.get(code, SYSTEM)), None
    return Described(local_text(entry["at"]), actor, email, sentence, object_label, object_url, extra)
