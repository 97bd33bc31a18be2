"""Structural diff between two specs, so each iteration can say what changed for citizens."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Literal

from lab.i18n import N_
from prototypes.spec import TYPE_LABELS, Field, Spec, Step

ChangeKind = Literal[
    "step_added", "step_removed", "step_retitled", "step_moved",
    "field_added", "field_removed", "field_relabelled", "field_type_changed",
    "field_made_required", "field_made_optional", "options_changed",
    "condition_changed", "hint_changed", "title_changed", "confirmation_changed",
]


@dataclass(frozen=True, kw_only=True)
class Change:
    """One change; summary is the French msgid, params fill it in."""

    kind: ChangeKind
    summary: str
    params: dict[str, object] = dc_field(default_factory=dict, hash=False)
    step: str | None = None
    field: str | None = None
    before: object = None
    after: object = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The summary in French, params filled in."""
        return self.summary.format(**self.params)


def diff_specs(old: Spec, new: Spec) -> list[Change]:
    """Changes from old to new, matched by keys, in spec order.

    Order: title; removed steps (old order); then each step of new in order, with its own
    changes and its fields' changes (removed fields first); confirmation last. A field that
    moves to another step is reported as removed from the first and added to the second.
    Fields of an added or removed step are covered by that step's change.
    """
    changes: list[Change] = []
    if old.title != new.title:
        changes.append(Change(kind="title_changed",
                              summary=N_("Titre du prototype modifié : « {before} » devient « {after} »"),
                              params={"before": old.title, "after": new.title}, before=old.title, after=new.title))
    new_keys = {s.key for s in new.steps}
    old_steps = {s.key: s for s in old.steps}
    for step in old.steps:
        if step.key not in new_keys:
            changes.append(Change(kind="step_removed", summary=N_("Étape « {title} » supprimée"),
                                  params={"title": step.title}, step=step.key, before=step.title))
    old_order = [s.key for s in old.steps]
    moved = _moved_keys(old_order, [s.key for s in new.steps])
    for position, step in enumerate(new.steps, start=1):
        before = old_steps.get(step.key)
        if before is None:
            changes.append(Change(kind="step_added", summary=N_("Étape « {title} » ajoutée"),
                                  params={"title": step.title}, step=step.key, after=step.title))
            continue
        if before.title != step.title:
            changes.append(Change(kind="step_retitled", summary=N_("Étape « {before} » renommée en « {after} »"),
                                  params={"before": before.title, "after": step.title},
                                  step=step.key, before=before.title, after=step.title))
        if step.key in moved:
            old_position = old_order.index(step.key) + 1
            changes.append(Change(kind="step_moved",
                                  summary=N_("Étape « {title} » déplacée de la position {before} "
                                          "à la position {after}"),
                                  params={"title": step.title, "before": old_position, "after": position},
                                  step=step.key, before=old_position, after=position))
        changes += _step_field_changes(before, step)
    if old.confirmation != new.confirmation:
        changes.append(Change(kind="confirmation_changed", summary=N_("Message de confirmation modifié"),
                              before=old.confirmation, after=new.confirmation))
    return changes


def _moved_keys(old: list[str], new: list[str]) -> set[str]:
    """Common steps outside a longest common subsequence: the fewest that really moved."""
    common_old = [k for k in old if k in set(new)]
    common_new = [k for k in new if k in set(old)]
    n, m = len(common_old), len(common_new)
    lengths = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            lengths[i][j] = (lengths[i + 1][j + 1] + 1 if common_old[i] == common_new[j]
                             else max(lengths[i + 1][j], lengths[i][j + 1]))
    kept, i, j = set(), 0, 0
    while i < n and j < m:
        if common_old[i] == common_new[j]:
            kept.add(common_old[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return set(common_new) - kept


def _step_field_changes(old: Step, new: Step) -> list[Change]:
    old_fields = {f.key: f for f in old.fields}
    new_keys = {f.key for f in new.fields}
    changes = [
        Change(kind="field_removed", summary=N_("Champ « {label} » retiré de l'étape « {step} »"),
               params={"label": f.label, "step": new.title}, step=new.key, field=f.key, before=f.label)
        for f in old.fields if f.key not in new_keys
    ]
    for f in new.fields:
        before = old_fields.get(f.key)
        if before is None:
            changes.append(Change(kind="field_added",
                                  summary=N_("Champ « {label} » ajouté à l'étape « {step} »"),
                                  params={"label": f.label, "step": new.title}, step=new.key, field=f.key,
                                  after=f.label))
        else:
            changes += _field_changes(new.key, before, f)
    return changes


#: A field's optional settings whose change is told as added, removed or modified, in this order.
_OPTIONAL_SETTINGS = (
    ("show_if", "condition_changed", (N_("Condition d'affichage ajoutée au champ « {label} »"),
                                      N_("Condition d'affichage retirée du champ « {label} »"),
                                      N_("Condition d'affichage du champ « {label} » modifiée"))),
    ("hint", "hint_changed", (N_("Aide ajoutée au champ « {label} »"),
                              N_("Aide retirée du champ « {label} »"),
                              N_("Aide du champ « {label} » modifiée"))),
)

def _field_changes(step: str, old: Field, new: Field) -> list[Change]:
    where = {"step": step, "field": new.key}
    label = {"label": new.label}
    changes = []
    if old.label != new.label:
        changes.append(Change(kind="field_relabelled", summary=N_("Champ « {before} » renommé en « {after} »"),
                              params={"before": old.label, "after": new.label},
                              before=old.label, after=new.label, **where))
    if old.type != new.type:
        changes.append(Change(kind="field_type_changed",
                              summary=N_("Champ « {label} » : le type passe de « {before} » à « {after} »"),
                              params={**label, "before": TYPE_LABELS[old.type], "after": TYPE_LABELS[new.type]},
                              before=old.type, after=new.type, **where))
    if old.required != new.required:
        kind, summary = (("field_made_required", N_("Champ « {label} » rendu obligatoire")) if new.required
                         else ("field_made_optional", N_("Champ « {label} » rendu facultatif")))
        changes.append(Change(kind=kind, summary=summary, params=label,
                              before=old.required, after=new.required, **where))
    if old.options != new.options:
        changes.append(_options_change(old, new, where))
    for attribute, kind, (added, removed, modified) in _OPTIONAL_SETTINGS:
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before != after:
            summary = added if before is None else removed if after is None else modified
            changes.append(Change(kind=kind, summary=summary, params=label, before=before, after=after, **where))
    return changes


def _options_change(old: Field, new: Field, where: dict[str, str]) -> Change:
    before, after = old.options or (), new.options or ()
    added = tuple(o for o in after if o not in before)
    removed = tuple(o for o in before if o not in after)
    if added and removed:
        summary = N_("Options du champ « {label} » modifiées : ajout de {added}, retrait de {removed}")
    elif added:
        summary = N_("Options ajoutées au champ « {label} » : {added}")
    elif removed:
        summary = N_("Options retirées du champ « {label} » : {removed}")
    else:
        summary = N_("Ordre des options du champ « {label} » modifié")
    params = {"label": new.label, "added": _quoted(added), "removed": _quoted(removed)}
    return Change(kind="options_changed", summary=summary, params=params, before=old.options,
                  after=new.options, added=added, removed=removed, **where)


def _quoted(options: tuple[str, ...]) -> str:
    return ", ".join(N_("« {option} »").format(option=o) for o in options)
