"""What keeps the caller's first second short, checked by what a handler imports (never by timing):
with tracing ON as deployed, the Connect and contacts handlers load neither boto3/botocore nor the
X-Ray SDK (nor botocore's client machinery), nor the modules only other routes or functions use, and
build no pydantic model, until their first call; the tracer is made on first use."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from local_runtime.runtime import ROOT

sys.path.insert(0, str(ROOT / "tools"))
from bench import handler_files, lambda_environment  # the bench's own Lambda-like environment

_PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("h", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
from pydantic import BaseModel
def subclasses(cls):  # every model, not only BaseModel's direct subclasses (ours derive from a base of ours)
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)
built = sorted({c.__name__ for c in subclasses(BaseModel) if c.__module__.startswith("switchboard")
                and c.__dict__.get("__pydantic_complete__")})
print(json.dumps({"modules": sorted(sys.modules), "built": built}))
"""


def imports_of(logical_id):
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(handler_files()[logical_id])],
        capture_output=True,
        text=True,
        env=lambda_environment(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("logical_id", ["ConnectContactFunction", "ContactsApiFunction"])
def test_caller_facing_handlers_leave_aws_sdk_and_tracing_sdk_for_the_first_call(logical_id):
    # given tracing ON as deployed (LAMBDA_TASK_ROOT set, POWERTOOLS_TRACE_DISABLED unset)
    # when the handler module is imported in a fresh interpreter
    loaded = imports_of(logical_id)
    modules = set(loaded["modules"])
    # then the handler is there, but not boto3, botocore's client machinery or the X-Ray SDK
    # (Powertools' user-agent module imports botocore's bare package, a millisecond)
    assert "switchboard.observability" in modules
    assert not {"boto3", "botocore.session", "botocore.client", "aws_xray_sdk", "aws_xray_sdk.core"} & modules
    # and no pydantic model of ours was built at import
    assert loaded["built"] == []


# What neither caller-facing handler needs to open a case: the classifier and language detection (the
# Connect contact names its language; a transcript is classified on the call), the workflow's states, the
# desk, and the contacts API's other routes (case view, task repository).
NOT_ON_THE_CONTACT_PATH = {
    "switchboard.nlp.model",
    "switchboard.nlp.features",
    "switchboard.nlp.language",
    "switchboard.domain.case_view",
    "switchboard.adapters.repository.tasks",
    "switchboard.desk.tasks",
    "switchboard.desk.follow_up",
    "switchboard.workflow.verify",
    "switchboard.workflow.notify",
}


@pytest.mark.parametrize("logical_id", ["ConnectContactFunction", "ContactsApiFunction"])
def test_caller_facing_handlers_import_only_what_opening_a_case_needs(logical_id):
    # given tracing ON as deployed, when the handler module is imported in a fresh interpreter
    modules = set(imports_of(logical_id)["modules"])
    # then it is there, without the modules that only a call, another route or another function uses
    assert "switchboard.channels.intake" in modules
    assert not NOT_ON_THE_CONTACT_PATH & modules


def test_the_contacts_api_builds_its_resolver_before_the_snapshot_not_at_import():
    # given the contacts API imported as deployed: Powertools' resolver package is not loaded yet
    assert "aws_lambda_powertools.event_handler" not in set(imports_of("ContactsApiFunction")["modules"])
    # when SnapStart's before-snapshot hook runs in a fresh interpreter
    probe = (
        "import importlib.util, sys; spec = importlib.util.spec_from_file_location('h', sys.argv[1]); "
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); m.warm_before_snapshot(); "
        "print(m.app.cache_info().currsize, 'aws_lambda_powertools.event_handler.api_gateway' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(handler_files()["ContactsApiFunction"])],
        capture_output=True,
        text=True,
        env=lambda_environment(),
        timeout=120,
        check=False,
    )
    # then the resolver is built and loaded into the snapshot
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["1", "True"]


def test_the_tracer_is_made_on_the_first_traced_call_and_only_once():
    from switchboard.observability import LazyTracer

    # given a lazy tracer (tracing is off in tests) and a handler it decorates
    tracer = LazyTracer()
    calls = []

    @tracer.capture_lambda_handler
    def handler(event, context):
        calls.append(event)
        return {"answer": event["n"] * 2}

    assert tracer._tracer is None  # nothing made at decoration time
    # when the handler is called twice
    first = handler({"n": 1}, None)
    made = tracer._tracer
    second = handler({"n": 2}, None)
    # then it answers as undecorated, through one Powertools Tracer made on the first call
    from aws_lambda_powertools import Tracer

    assert (first, second) == ({"answer": 2}, {"answer": 4})
    assert isinstance(made, Tracer) and tracer._tracer is made
    assert calls == [{"n": 1}, {"n": 2}]


def test_the_snapstart_hook_is_registered_on_lambda_and_skipped_elsewhere(monkeypatch):
    import types

    from switchboard.observability import before_snapshot

    # given no Lambda runtime hook module (here, or a region without SnapStart): nothing happens
    before_snapshot(lambda: None)
    # given Lambda's hook module: the warm-up is registered to run before the snapshot
    registered = []
    hooks = types.ModuleType("snapshot_restore_py")
    hooks.register_before_snapshot = registered.append
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", hooks)

    def warm():
        return None

    before_snapshot(warm)
    assert registered == [warm]

