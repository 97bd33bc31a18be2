"""The step context the staff preview and the citizen journey share."""

from prototypes import EXAMPLES_DIR
from prototypes.spec_yaml import parse_spec
from prototypes.step_page import step_context

VOIRIE = parse_spec((EXAMPLES_DIR / "voirie.yaml").read_text(encoding="utf-8"))


def url(index: int) -> str:
    return f"/etape/{index}"


def test_the_first_step_has_no_way_back():
    context = step_context(VOIRIE, 0, values={}, errors=[], step_url=url)
    assert context["step"] is VOIRIE.steps[0] and context["index"] == 0
    assert context["action"] == "/etape/0" and context["back_url"] is None


def test_a_later_step_goes_back_one_and_shows_fields_by_its_answers():
    hidden = step_context(VOIRIE, 1, values={"categorie": "Trottoir dégradé"}, errors=[], step_url=url)
    shown = step_context(VOIRIE, 1, values={"categorie": "Autre"}, errors=[], step_url=url)
    assert hidden["back_url"] == "/etape/0" and hidden["action"] == "/etape/1"
    assert "precision" not in [f.key for f in hidden["fields"]]
    assert "precision" in [f.key for f in shown["fields"]]
