"""Every state-input sample in events/states answers through `make invoke` with no traceback: each
gets a fresh runtime and the case it names, as `make invoke` does (its own module, so pytest-xdist
runs it beside the API samples)."""

from __future__ import annotations

import pytest

from local_runtime.runtime import LocalRuntime
from tests.workflow.samples import SAMPLES, assert_usable, invoke_sample, sample_id

pytestmark = pytest.mark.workflow

STATES = [p for p in SAMPLES if p.parent.name == "states"]


def test_every_state_function_has_a_sample():
    names = {p.stem for p in STATES}
    assert {"verify", "classify", "resolve", "escalate", "apply_decision", "notify", "close"} <= names


@pytest.mark.parametrize("path", STATES, ids=sample_id)
def test_a_state_sample_answers_its_output(path):
    # given a fresh runtime and a state input naming a case that does not exist yet
    with LocalRuntime() as runtime:
        # when the state's function is invoked with it (its GIVEN contact opens the case first)
        event, answer = invoke_sample(runtime, path)
    # then it answers the state's output, not a CaseNotFound traceback
    assert_usable(path, event, answer)
