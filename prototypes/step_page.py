"""What `prototypes/_step.html` needs, built once so the staff preview and the citizen journey show a step alike."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from prototypes.answers import FieldError, visible_fields
from prototypes.spec import Spec


def step_context(spec: Spec, index: int, *, values: Mapping[str, object], errors: Sequence[FieldError],
                 step_url: Callable[[int], str]) -> dict:
    """Step `index` with the fields its answers show; `step_url(i)` is where step i is posted, and the way back."""
    step = spec.steps[index]
    return {
        "spec": spec,
        "step": step,
        "index": index,
        "fields": visible_fields(step, values),
        "values": values,
        "errors": errors,
        "action": step_url(index),
        "back_url": step_url(index - 1) if index else None,
    }
