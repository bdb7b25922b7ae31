"""What keeps the caller's first second short, checked by what a handler imports (never by timing):
with tracing ON as deployed, the Connect and contacts handlers load neither boto3/botocore nor the
X-Ray SDK (nor botocore's client machinery), nor the modules only other routes or functions use, and
build no pydantic model, until their first call; the tracer is made on first use. And with SnapStart,
what the first call would load or build lazily is done by the before-snapshot hook instead: a restored
environment's first call imports no module of ours and builds no validator."""

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
    # and the models' classes (and the routing policy's, which makes Route) are made on the first call, or
    # before the snapshot (the test below), not at import
    assert not {"switchboard.domain.models", "switchboard.domain.routing"} & modules


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


# A handler as SnapStart runs it: imported, warm_before_snapshot(), then (in a restored environment) the
# first call, on moto with the template's tables and state machine (not executed, and no other thread:
# only the call's own work is watched). Which modules of ours the call loads, which validators it builds.
_FIRST_CALL = """
import importlib.util, json, sys, threading
import local_runtime  # the Lambda hook, before any boto3 client
from local_runtime import provision, template
from local_runtime.lambda_hook import LambdaContext
from local_runtime.runtime import ROOT, LocalRuntime
from moto import mock_aws
import pydantic

caller, watching, seen = threading.get_ident(), [], {"imported": [], "built": []}
ours = lambda: {name for name in sys.modules if name.startswith("switchboard")}  # noqa: E731
rebuild = pydantic.BaseModel.model_rebuild.__func__

def model_rebuild(cls, *args, **kwargs):  # a deferred model's validator is built through it on first use
    if watching and threading.get_ident() == caller and not cls.__pydantic_complete__:
        seen["built"].append(cls.__name__)
    kwargs["_parent_namespace_depth"] = kwargs.get("_parent_namespace_depth", 2) + 1  # this frame
    return rebuild(cls, *args, **kwargs)

pydantic.BaseModel.model_rebuild = classmethod(model_rebuild)
adapter_init = pydantic.TypeAdapter.__init__

def type_adapter(self, *args, **kwargs):  # Powertools' route validators, our union's
    if watching and threading.get_ident() == caller:
        seen["built"].append(f"TypeAdapter({args[0]!r})")
    return adapter_init(self, *args, **kwargs)

pydantic.TypeAdapter.__init__ = type_adapter

with mock_aws():
    deployed = LocalRuntime(seed_path=None)  # not started: its names, and the template's resources in moto
    deployed.deployed_environment()
    resolve = template.Resolver(deployed.refs, deployed.attrs, deployed.conditions())
    provision.create_resources(deployed.resources, deployed.refs, deployed.attrs, resolve, deployed.client)
    provision.create_state_machine(deployed.resources, deployed.attrs, resolve, deployed.client("stepfunctions"), ROOT)
    spec = importlib.util.spec_from_file_location("h", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.warm_before_snapshot()
    context = LambdaContext(function_name="h", invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:h",
                            memory_limit_in_mb=256)
    watching.append(True)
    loaded = ours()
    answer = module.handler(json.loads(sys.argv[2]), context)
    first = {"imported": sorted(ours() - loaded), "built": list(seen["built"])}
    # the watch itself works: a model and a module the handler never uses are seen
    from switchboard.domain.models import SlaBreach
    SlaBreach(slaBreached=True)
    import switchboard.reports.figures
    seen["imported"] = sorted(ours() - loaded)
    watching.clear()
print(json.dumps({"answer": answer, "first": first, "watch": seen}))
"""


def first_call(logical_id, event):
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_CALL, str(handler_files()[logical_id]), json.dumps(event)],
        capture_output=True,
        text=True,
        env=lambda_environment(),
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def _connect_event(**parameters):
    event = json.loads((ROOT / "events" / "connect" / "contact_flow_account_locked.json").read_text())
    if parameters:
        event["Details"]["Parameters"] = parameters
    return event


@pytest.mark.parametrize(
    ("logical_id", "event"),
    [
        pytest.param("ConnectContactFunction", _connect_event(), id="connect-ivr-choice"),
        pytest.param(
            "ConnectContactFunction",
            _connect_event(transcript="I was charged twice for the same order, please refund one"),
            id="connect-transcript",
        ),
        pytest.param(
            "ContactsApiFunction",
            json.loads((ROOT / "events" / "api" / "contact_web_product_info.json").read_text()),
            id="contacts-web",
        ),
    ],
)
def test_after_the_snapshot_hook_the_first_call_imports_and_builds_nothing(logical_id, event):
    # given the handler imported and its SnapStart hook run, as before a snapshot
    # when a restored environment answers its first call
    seen = first_call(logical_id, event)
    # then the call opened a case
    answer = seen["answer"]
    assert answer.get("caseId") or json.loads(answer["body"])["caseId"]
    # and it loaded no module of ours and built no validator: the hook had done it
    assert seen["first"] == {"imported": [], "built": []}
    # (the watch would have seen one: a model and a module this handler never uses, used after the call)
    assert "SlaBreach" in seen["watch"]["built"] and "switchboard.reports.figures" in seen["watch"]["imported"]
