"""Fault injection, one fault type at a time on one shared runtime: contacts over every path
(auto-resolved, one-time code, escalated, completed by an agent) while DynamoDB PutItem, UpdateItem,
GetItem or Query, SNS Publish, SES SendEmail, EventBridge PutEvents or Step Functions SendTaskSuccess
fails 20 % of its calls. Nothing is lost, nothing is stuck, every contact is answered 202 within its
client's retries, and every notice is sent or recorded FAILED. `make chaos` prints the same figures
for 100 contacts per fault type."""

from __future__ import annotations

import subprocess
import sys

import pytest

from local_runtime import faults
from local_runtime.chaos import PATHS, ChaosRun, missing_notices
from local_runtime.runtime import ROOT

pytestmark = pytest.mark.workflow


SEED = 112  # every operation's sequence fails within its first four calls: each type is really exercised
CONTACTS_PER_FAULT = 100  # per fault type, as `make chaos` runs them
# The DynamoDB fault types run in test_chaos_dynamodb.py: two modules, so pytest-xdist's two workers
# (--dist loadfile) share the 800 contacts instead of one worker running them all.
DYNAMODB = sorted(op for op in faults.OPERATIONS if op.startswith("dynamodb."))


@pytest.mark.timeout(600)
@pytest.mark.parametrize("operation", sorted(set(faults.OPERATIONS) - set(DYNAMODB)))
def test_contacts_survive_a_fifth_of_an_operations_calls_failing(runtime, operation):
    contacts_survive(runtime, operation)


def contacts_survive(runtime, operation):
    # given contacts over the four paths, and 20 % of this operation's calls failing
    run = ChaosRun(runtime, operation, contacts=CONTACTS_PER_FAULT, rate=0.2, seed=SEED)
    # when customers and agents go through their journeys, retrying as real clients do
    report, journeys = run(timeout=300)
    print(report.line())
    # then the faults were really injected ...
    assert run.plan.injected[operation] >= 1, run.plan.calls
    assert set(report.paths) == set(PATHS)
    survived(run, report, journeys)


def survived(run, report, journeys):
    # ... every contact was answered 202, no case was lost or stuck, no notice silently dropped
    assert report.unanswered == 0, [j.errors for j in journeys if not j.answered]
    assert report.lost == 0
    assert report.stuck == 0, [(j.case_id, j.path, j.settled, j.errors) for j in journeys if j.settled != "succeeded"]
    silent = {j.case_id: missing_notices(run.case(j.case_id), j.settled) for j in journeys if j.case_id}
    assert report.silent_notifications == 0, {case_id: notes for case_id, notes in silent.items() if notes}
    # and each journey ended where its path leads
    assert {j.settled for j in journeys if j.path == "escalated"} == {"open-task"}
    assert {j.settled for j in journeys if j.path != "escalated"} == {"succeeded"}


@pytest.mark.timeout(300)
def test_make_chaos_prints_the_figures_per_fault_type():
    # when the chaos command runs a small round of one fault type
    done = subprocess.run(
        [sys.executable, "-m", "local_runtime.chaos", "--contacts", "4", "--fault", "sns.Publish"],
        capture_output=True,
        text=True,
        timeout=280,
        cwd=ROOT,
        env={
            "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}",
            "PATH": "/usr/bin:/bin",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
        },
    )
    # then it prints one line of figures for it
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("sns.Publish")]
    assert len(lines) == 1
    for figure in ("contacts    4", "faults", "unanswered 0", "lost 0", "stuck 0", "failed notifications", "silent 0"):
        assert figure in lines[0], (lines[0], done.stderr[-2000:])
