"""Stored trials read back as the records analysis.metrics computes on."""

import pytest

from analysis.reports.metrics import iteration_metrics
from analysis.reports.records import response_records, trial_records
from tests.factories import STEPS


def test_trials_and_responses_map_onto_metric_records(db, lab, citizen):
    done = citizen()
    done.enter(lab.tokens[0])
    done.consent()
    done.step("lieu", {"f-adresse": ""})
    done.walk_steps()
    done.questionnaire()
    stopped = citizen()
    stopped.enter(lab.tokens[1])
    stopped.consent()
    stopped.step("lieu")
    stopped.get("/take/etape/nature")
    citizen().enter(lab.tokens[2])  # opened the link, never consented: not a trial

    trials = trial_records(db, iteration_id=lab.iteration_id)
    assert len(trials) == 2
    finished, left = sorted(trials, key=lambda t: t.completed_at is None)
    assert finished.completed and finished.channel == "online" and finished.variant == "A"
    assert finished.group == "Habitants du centre" and not finished.assisted
    assert [s.step for s in finished.steps] == list(STEPS) and all(s.left_at for s in finished.steps)
    assert [(e.step, e.field, e.count) for e in finished.validation_errors] == [("lieu", "adresse", 1)]
    assert not left.completed and left.last_step == "nature" and left.steps[-1].left_at is None

    responses = response_records(db, deployment_id=lab.deployment_id)
    assert {r.trial_id for r in responses} == {finished.trial_id}
    assert {r.key: r.number for r in responses}["satisfaction"] == 3

    metrics = iteration_metrics(trials, responses, STEPS)
    assert metrics.completion.started == 2 and metrics.completion.completed == 1


def test_records_need_a_scope(db):
    with pytest.raises(ValueError):
        trial_records(db)
