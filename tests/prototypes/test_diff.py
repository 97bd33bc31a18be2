"""Structural diff between two specs: every kind of change, in spec order."""

from __future__ import annotations

from prototypes.diff import Change, diff_specs
from prototypes.spec import Field, ShowIf, Spec, Step


def spec(*steps: Step, title: str = "Signaler une anomalie", confirmation: str = "Merci.") -> Spec:
    return Spec(title=title, domain="voirie", problem="p", steps=steps, confirmation=confirmation)


LIEU = Step(key="lieu", title="Où ?", fields=(Field(key="adresse", type="address", label="Adresse", required=True),))
NATURE = Step(key="nature", title="Quoi ?", fields=(
    Field(key="categorie", type="choice", label="Type", options=("Chaussée", "Trottoir", "Autre")),
    Field(key="precision", type="text", label="Précisez", show_if=ShowIf(field="categorie", equals="Autre")),
))
CONTACT = Step(key="contact", title="Contact", fields=(Field(key="courriel", type="email", label="Courriel"),))
OLD = spec(LIEU, NATURE, CONTACT)


def with_field(step: Step, key: str, **changes: object) -> Step:
    fields = tuple(f.model_copy(update=changes) if f.key == key else f for f in step.fields)
    return step.model_copy(update={"fields": fields})


def only_change(new: Spec) -> Change:
    changes = diff_specs(OLD, new)
    assert len(changes) == 1, [c.text for c in changes]
    return changes[0]


def test_identical_specs_have_no_changes():
    assert diff_specs(OLD, spec(LIEU, NATURE, CONTACT)) == []


def test_title_changed():
    change = only_change(spec(LIEU, NATURE, CONTACT, title="Signaler un problème"))
    assert (change.kind, change.before, change.after) == ("title_changed", "Signaler une anomalie", "Signaler un problème")
    assert change.text == "Titre du prototype modifié : « Signaler une anomalie » devient « Signaler un problème »"


def test_confirmation_changed():
    change = only_change(spec(LIEU, NATURE, CONTACT, confirmation="Merci beaucoup."))
    assert (change.kind, change.before, change.after) == ("confirmation_changed", "Merci.", "Merci beaucoup.")
    assert change.text == "Message de confirmation modifié"


def test_step_added():
    photo = Step(key="photo", title="Photo", fields=(Field(key="image", type="file", label="Photo"),))
    change = only_change(spec(LIEU, NATURE, photo, CONTACT))
    assert (change.kind, change.step, change.field, change.after) == ("step_added", "photo", None, "Photo")
    assert change.text == "Étape « Photo » ajoutée"


def test_step_removed():
    change = only_change(spec(LIEU, NATURE))
    assert (change.kind, change.step, change.before) == ("step_removed", "contact", "Contact")
    assert change.text == "Étape « Contact » supprimée"


def test_step_retitled():
    change = only_change(spec(LIEU, NATURE.model_copy(update={"title": "De quoi s'agit-il ?"}), CONTACT))
    assert (change.kind, change.step) == ("step_retitled", "nature")
    assert change.text == "Étape « Quoi ? » renommée en « De quoi s'agit-il ? »"


def test_step_moved_reports_only_the_step_that_moved():
    change = only_change(spec(LIEU, CONTACT, NATURE))
    assert (change.kind, change.step, change.before, change.after) in {
        ("step_moved", "contact", 3, 2), ("step_moved", "nature", 2, 3)}
    assert change.text.startswith("Étape « ")


def test_inserting_a_step_does_not_move_the_following_ones():
    intro = Step(key="intro", title="Introduction", fields=(Field(key="texte", type="info", label="Bonjour"),))
    assert [c.kind for c in diff_specs(OLD, spec(intro, LIEU, NATURE, CONTACT))] == ["step_added"]


def test_moving_the_first_step_to_the_end():
    change = only_change(spec(NATURE, CONTACT, LIEU))
    assert (change.kind, change.step, change.before, change.after) == ("step_moved", "lieu", 1, 3)
    assert change.text == "Étape « Où ? » déplacée de la position 1 à la position 3"


def test_field_added():
    extra = Field(key="repere", type="text", label="Point de repère")
    change = only_change(spec(LIEU.model_copy(update={"fields": LIEU.fields + (extra,)}), NATURE, CONTACT))
    assert (change.kind, change.step, change.field, change.after) == ("field_added", "lieu", "repere", "Point de repère")
    assert change.text == "Champ « Point de repère » ajouté à l'étape « Où ? »"


def test_field_removed():
    changes = diff_specs(OLD, spec(LIEU, NATURE.model_copy(update={"fields": NATURE.fields[:1]}), CONTACT))
    assert [(c.kind, c.step, c.field, c.before) for c in changes] == [("field_removed", "nature", "precision", "Précisez")]
    assert changes[0].text == "Champ « Précisez » retiré de l'étape « Quoi ? »"


def test_field_replaced_is_removed_then_added():
    new_contact = CONTACT.model_copy(update={"fields": (Field(key="telephone", type="phone", label="Téléphone"),)})
    assert [(c.kind, c.field) for c in diff_specs(OLD, spec(LIEU, NATURE, new_contact))] == [
        ("field_removed", "courriel"), ("field_added", "telephone")]


def test_field_moved_to_another_step_is_removed_then_added():
    courriel = CONTACT.fields[0]
    new_lieu = LIEU.model_copy(update={"fields": LIEU.fields + (courriel,)})
    new_contact = CONTACT.model_copy(update={"fields": (Field(key="telephone", type="phone", label="Téléphone"),)})
    changes = diff_specs(OLD, spec(new_lieu, NATURE, new_contact))
    assert [(c.kind, c.step, c.field) for c in changes] == [
        ("field_added", "lieu", "courriel"),
        ("field_removed", "contact", "courriel"),
        ("field_added", "contact", "telephone"),
    ]


def test_field_relabelled():
    change = only_change(spec(with_field(LIEU, "adresse", label="Adresse ou lieu"), NATURE, CONTACT))
    assert (change.kind, change.step, change.field) == ("field_relabelled", "lieu", "adresse")
    assert (change.before, change.after) == ("Adresse", "Adresse ou lieu")
    assert change.text == "Champ « Adresse » renommé en « Adresse ou lieu »"


def test_field_type_changed():
    change = only_change(spec(LIEU, NATURE, with_field(CONTACT, "courriel", type="text")))
    assert (change.kind, change.before, change.after) == ("field_type_changed", "email", "text")
    assert change.text == "Champ « Courriel » : le type passe de « adresse électronique » à « texte court »"


def test_field_made_required_and_optional():
    change = only_change(spec(LIEU, NATURE, with_field(CONTACT, "courriel", required=True)))
    assert (change.kind, change.before, change.after) == ("field_made_required", False, True)
    assert change.text == "Champ « Courriel » rendu obligatoire"
    change = only_change(spec(with_field(LIEU, "adresse", required=False), NATURE, CONTACT))
    assert (change.kind, change.field) == ("field_made_optional", "adresse")
    assert change.text == "Champ « Adresse » rendu facultatif"


def test_options_changed_lists_added_and_removed():
    change = only_change(spec(LIEU, with_field(NATURE, "categorie", options=("Chaussée", "Éclairage", "Autre")), CONTACT))
    assert change.kind == "options_changed"
    assert (change.added, change.removed) == (("Éclairage",), ("Trottoir",))
    assert change.before == ("Chaussée", "Trottoir", "Autre")
    assert change.text == "Options du champ « Type » modifiées : ajout de « Éclairage », retrait de « Trottoir »"


def test_options_only_added_only_removed_or_reordered():
    def text(options: tuple[str, ...]) -> str:
        return only_change(spec(LIEU, with_field(NATURE, "categorie", options=options), CONTACT)).text

    assert text(("Chaussée", "Trottoir", "Éclairage", "Autre")) == "Options ajoutées au champ « Type » : « Éclairage »"
    assert text(("Chaussée", "Autre")) == "Options retirées du champ « Type » : « Trottoir »"
    assert text(("Trottoir", "Chaussée", "Autre")) == "Ordre des options du champ « Type » modifié"


def test_condition_changed():
    changed = ShowIf(field="categorie", in_=("Autre", "Trottoir"))
    change = only_change(spec(LIEU, with_field(NATURE, "precision", show_if=changed), CONTACT))
    assert (change.kind, change.field, change.after) == ("condition_changed", "precision", changed)
    assert change.before == ShowIf(field="categorie", equals="Autre")
    assert change.text == "Condition d'affichage du champ « Précisez » modifiée"
    removed = only_change(spec(LIEU, with_field(NATURE, "precision", show_if=None), CONTACT))
    assert removed.text == "Condition d'affichage retirée du champ « Précisez »" and removed.after is None
    added = only_change(spec(LIEU, NATURE, with_field(CONTACT, "courriel", show_if=ShowIf(field="categorie", equals="Autre"))))
    assert added.text == "Condition d'affichage ajoutée au champ « Courriel »"


def test_hint_changed():
    added = only_change(spec(with_field(LIEU, "adresse", hint="Numéro et rue"), NATURE, CONTACT))
    assert (added.kind, added.before, added.after) == ("hint_changed", None, "Numéro et rue")
    assert added.text == "Aide ajoutée au champ « Adresse »"
    old = spec(with_field(LIEU, "adresse", hint="Numéro et rue"), NATURE, CONTACT)
    assert [c.text for c in diff_specs(old, spec(with_field(LIEU, "adresse", hint="Rue"), NATURE, CONTACT))] == [
        "Aide du champ « Adresse » modifiée"]
    assert [c.text for c in diff_specs(old, OLD)] == ["Aide retirée du champ « Adresse »"]


def test_changes_come_in_spec_order():
    new = spec(
        with_field(LIEU, "adresse", label="Lieu", required=False),
        CONTACT,
        Step(key="photo", title="Photo", fields=(Field(key="image", type="file", label="Photo"),)),
        title="Nouveau titre",
        confirmation="Merci !",
    )
    assert [(c.kind, c.step, c.field) for c in diff_specs(OLD, new)] == [
        ("title_changed", None, None),
        ("step_removed", "nature", None),
        ("field_relabelled", "lieu", "adresse"),
        ("field_made_optional", "lieu", "adresse"),
        ("step_added", "photo", None),
        ("confirmation_changed", None, None),
    ]


def test_summary_is_a_msgid_with_params():
    change = only_change(spec(LIEU, NATURE))
    assert change.summary == "Étape « {title} » supprimée" and change.params == {"title": "Contact"}
