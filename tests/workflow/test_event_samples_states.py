"""Every state-input sample in events/states answers through `make invoke` with no traceback. Each
gets a case of its own (invoke opens one from its GIVEN contact), so they share one runtime, except
the agent's decision, which changes the seed's ledger (a refund) and gets a fresh one."""

from __future__ import annotations

import pytest

from local_runtime.runtime import LocalRuntime
from tests.workflow.samples import SAMPLES, assert_usable, invoke_sample, sample_id

pytestmark = pytest.mark.workflow

STATES = [p for p in SAMPLES if p.parent.name == "states"]
DECISION = [p for p in STATES if p.name == "apply_decision.json"]
SHARED = [p for p in STATES if p not in DECISION]


def test_every_state_function_has_a_sample():
    names = {p.stem for p in STATES}
    # triage: the received notice, verification, classification and the repeat-contact step (issue 12)
    assert {"triage", "resolve", "escalate", "apply_decision", "notify", "close"} <= names
    assert DECISION


class TestStateSamples:
    """One runtime for the class (it must be gone before the fresh one below starts)."""

    @pytest.fixture(scope="class")
    def shared(self):
        with LocalRuntime() as runtime:
            yield runtime

    @pytest.mark.parametrize("path", SHARED, ids=sample_id)
    def test_a_state_sample_answers_its_output(self, shared, path):
        # given a state input naming a case that does not exist yet
        # when the state's function is invoked with it (its GIVEN contact opens the case first)
        event, answer = invoke_sample(shared, path)
        # then it answers the state's output, not a CaseNotFound traceback
        assert_usable(path, event, answer)


@pytest.mark.parametrize("path", DECISION, ids=sample_id)
def test_the_decision_sample_applies_on_a_fresh_runtime(path):
    with LocalRuntime() as runtime:
        event, answer = invoke_sample(runtime, path)
    assert_usable(path, event, answer)
    assert answer["outcome"] == "RESOLVED"
