"""The spec editor's reference panel: what each field type is for, with a YAML example checked by the tests."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from lab.i18n import N_
from prototypes.spec import FIELD_TYPES, TYPE_LABELS

REFERENCE_FILE = Path(__file__).parent / "data" / "spec_reference.yaml"

#: What each field type asks and which keys change it (French msgids, translated where shown).
TYPE_HELP: dict[str, str] = {
    "text": N_("Une réponse sur une ligne : un nom, un numéro de dossier. min et max bornent le nombre de caractères, "
               "pattern impose un format."),
    "textarea": N_("Une réponse libre sur plusieurs lignes. min et max bornent le nombre de caractères."),
    "number": N_("Un nombre, entier ou décimal (virgule ou point). min et max bornent la valeur."),
    "date": N_("Une date au format JJ/MM/AAAA. min et max sont des dates AAAA-MM-JJ, ou relatives au jour de la "
               "réponse : today, today+21d, today-1y."),
    "email": N_("Une adresse électronique, vérifiée à la saisie."),
    "phone": N_("Un numéro de téléphone français ou international."),
    "address": N_("Une adresse postale ou un lieu, en texte libre."),
    "choice": N_("Une seule réponse parmi options (boutons radio, liste déroulante au-delà de six options)."),
    "multichoice": N_("Plusieurs réponses parmi options (cases à cocher). min et max bornent le nombre de cases "
                      "cochées."),
    "yesno": N_("Oui ou non. Une condition show_if sur ce champ vaut « oui » ou « non »."),
    "file": N_("Une photo ou un document. max_size_kb limite sa taille en Ko (5 000 par défaut) ; accept, les formats "
               "acceptés."),
    "consent": N_("Une case à cocher pour donner son accord ; avec required: true, elle doit être cochée."),
    "info": N_("Un bloc de texte sans réponse : label est son titre, text son contenu."),
}


@functools.cache
def reference() -> dict:
    """The panel's content: the examples of the data file with each type's name and help (read on first use)."""
    data = yaml.safe_load(REFERENCE_FILE.read_text(encoding="utf-8"))
    return {
        "structure": data["structure"],
        "types": [(name, TYPE_LABELS[name], TYPE_HELP[name], data["types"][name]) for name in FIELD_TYPES],
        "show_if": data["show_if"],
        "options": data["types"]["choice"],
        "pattern": data["pattern"],
    }
