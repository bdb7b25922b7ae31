"""Every sample in events/api and events/connect answers through `make invoke` as its caller needs:
no 401, no 5xx, no traceback; a flat map of strings for Connect. A sample that names a case gets a
case of its own (invoke opens one from its GIVEN contact), so they share one runtime; the agent's
completion, which changes the seed's ledger, gets a fresh one, and the Connect code path runs
through the command line itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from local_runtime.invoke import SampleInvoker
from local_runtime.runtime import ROOT, LocalRuntime
from tests.workflow.samples import SAMPLES, assert_usable, invoke_sample, sample_id

pytestmark = pytest.mark.workflow

EDGE = [p for p in SAMPLES if p.parent.name in ("api", "connect")]
CODE_ENTERED = ROOT / "events" / "connect" / "contact_flow_code_entered.json"  # through the command line below
COMPLETE_TASK = ROOT / "events" / "api" / "complete_task.json"  # on a runtime of its own below
SHARED = [p for p in EDGE if p not in (CODE_ENTERED, COMPLETE_TASK)]


def test_the_samples_are_all_here():
    names = {sample_id(p) for p in SHARED}
    assert {"api/get_case.json", "api/post_verification.json", "connect/contact_flow_account_locked.json"} <= names
    assert {"api/next_task.json", "api/takeover_task.json", "api/reassign_task.json"} <= names  # issue 12's routes
    assert {"api/get_task_case.json", "api/get_queue_board.json"} <= names  # the desk's read routes
    assert CODE_ENTERED.exists() and COMPLETE_TASK.exists()
    assert len([p for p in SHARED if p.name.startswith("contact_")]) >= 6


class TestSamples:
    """One runtime for the class (it must be gone before the fresh ones below start)."""

    @pytest.fixture(scope="class")
    def shared(self):
        with LocalRuntime() as runtime:
            yield runtime

    @pytest.mark.parametrize("path", SHARED, ids=sample_id)
    def test_a_sample_answers_as_its_caller_needs(self, shared, path):
        # given a sample (a new contact, or a request on a case it names), when invoked as `make invoke` does
        event, answer = invoke_sample(shared, path)
        # then its caller gets a usable answer: no 401, no 5xx, no traceback
        assert_usable(path, event, answer)
        if path.name.startswith("contact_") and "httpMethod" in event:
            assert answer["statusCode"] == 202
            assert json.loads(answer["body"])["caseId"].startswith("SB")
        if path.name == "post_verification.json":  # the code texted to the customer is accepted
            assert json.loads(answer["body"]) == {"verification": {"level": "AUTHENTICATED"}}
        if path.name == "get_case.json":
            assert json.loads(answer["body"])["caseId"].startswith("SB")


def test_the_agent_completes_the_sample_task_and_the_workflow_applies_it():
    # given a fresh runtime, as `make invoke` starts
    with LocalRuntime() as runtime:
        # when the payments agent completes the refund task of the sample (its case opened first)
        event, answer = invoke_sample(runtime, COMPLETE_TASK)
        assert_usable(COMPLETE_TASK, event, answer)
        task = json.loads(answer["body"])
        # then the task is done and the refund the sample asked for is carried out on the case
        assert task["status"] == "COMPLETED"
        invoker = SampleInvoker(runtime)
        case = runtime.wait_for(
            lambda: (c := invoker.case(task["caseId"])) and c["status"] in ("RESOLVED", "CLOSED") and c,
            interval=0.25,
            what="the case to be resolved by the agent's decision",
        )
        assert any("TK3E606" in entry["detail"] for entry in case["timeline"]), case["timeline"]


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
