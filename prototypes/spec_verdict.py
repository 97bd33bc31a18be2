"""The spec-validation API's verdict, built apart from the route so the parsing runs in a worker thread."""

from __future__ import annotations

from typing import Any

from prototypes.spec_issues import SpecError
from prototypes.spec_yaml import parse_spec


def validation_verdict(body: bytes) -> tuple[dict[str, Any], int]:
    """(JSON payload, HTTP status): the spec's title and steps, or every issue with its step, field and line."""
    try:
        spec = parse_spec(body.decode("utf-8", errors="replace"))
    except SpecError as exc:
        issues = [
            {"message": i.message, "line": i.line, "step": i.step, "field": i.field, "path": i.path} for i in exc.issues
        ]
        return {"valid": False, "issues": issues}, 422
    return {"valid": True, "title": spec.title, "steps": [s.key for s in spec.steps]}, 200
