"""Every sample in events/api and events/connect answers through `make invoke` as its caller needs:
no 401, no 5xx, no traceback; a flat map of strings for Connect. Samples that act on an existing
case get a fresh runtime each, as `make invoke` does; new contacts share one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from local_runtime.runtime import ROOT, LocalRuntime
from tests.workflow.samples import SAMPLES, assert_usable, invoke_sample, sample_id

pytestmark = pytest.mark.workflow

EDGE = [p for p in SAMPLES if p.parent.name in ("api", "connect")]
NEW_CONTACTS = [p for p in EDGE if not re.search(r"SB\d{6}-", p.read_text(encoding="utf-8"))]
CODE_ENTERED = ROOT / "events" / "connect" / "contact_flow_code_entered.json"  # through the command line below
ON_A_CASE = [p for p in EDGE if p not in NEW_CONTACTS and p != CODE_ENTERED]


def test_the_samples_are_all_here():
    assert {sample_id(p) for p in ON_A_CASE} >= {"api/get_case.json", "api/complete_task.json"}
    assert CODE_ENTERED.exists()
    assert len(NEW_CONTACTS) >= 6


class TestNewContacts:
    """New contacts share one runtime (the class's: it must be gone before the fresh ones below start)."""

    @pytest.fixture(scope="class")
    def shared(self):
        with LocalRuntime() as runtime:
            yield runtime

    @pytest.mark.parametrize("path", NEW_CONTACTS, ids=sample_id)
    def test_a_new_contact_sample_is_accepted(self, shared, path):
        # given a sample contact, when it is invoked as `make invoke` does
        event, answer = invoke_sample(shared, path)
        # then the channel gets its answer: a case, or the Connect map
        assert_usable(path, event, answer)
        if "httpMethod" in event:
            assert answer["statusCode"] == 202
            assert json.loads(answer["body"])["caseId"].startswith("SB")


@pytest.mark.parametrize("path", ON_A_CASE, ids=sample_id)
def test_a_sample_on_an_existing_case_gets_its_case_and_answers(path):
    # given a fresh runtime, as `make invoke` starts, and a sample naming a case that does not exist yet
    with LocalRuntime() as runtime:
        # when it is invoked (its GIVEN contact opens the case first)
        event, answer = invoke_sample(runtime, path)
        # then it answers as on AWS: no 401, no traceback
        assert_usable(path, event, answer)
        if path.name == "complete_task.json":  # and the agent's decision reaches the workflow
            task = json.loads(answer["body"])
            assert task["status"] == "COMPLETED"
            case = runtime.wait_for(
                lambda: (c := _case(task["caseId"]))["status"] in ("RESOLVED", "CLOSED") and c,
                what="the case to be resolved by the agent's decision",
            )
            assert any("TK3E606" in entry["detail"] for entry in case["timeline"]), case["timeline"]
        if path.name == "post_verification.json":  # the code texted to the customer is accepted
            assert json.loads(answer["body"]) == {"verification": {"level": "AUTHENTICATED"}}


def test_make_invoke_answers_the_code_the_caller_keys_in_with_the_connect_map():
    # given the command line `make invoke` runs, on the Connect sample that used to end in CaseNotFound
    command = [sys.executable, "-m", "local_runtime", "invoke", "ConnectContactFunction", str(CODE_ENTERED)]
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}"}
    # when it runs
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    # then it prints the flat map Connect reads, the caller's code accepted, and no traceback
    assert done.returncode == 0, done.stdout + done.stderr
    answer = json.loads(done.stdout)
    assert all(isinstance(v, str) for v in answer.values()), "Connect reads a flat map of strings"
    assert answer["nextAction"] == "PLAY_MESSAGE", answer
    assert answer["prompt"] == "Thank you, you are verified. We are handling your request now."


def _case(case_id):
    from switchboard.repository.cases import CaseRepository

    return CaseRepository().get(case_id)
