"""make bench: figures next to their anchors, never assertions.

1. Cold start: import time of each handler in a fresh interpreter, with tracing ON as deployed (the
   Lambda environment variables set, POWERTOOLS_TRACE_DISABLED unset, our package with the bytecode the
   layer ships), median of 5 fresh interpreters, run round-robin with two anchors: bare boto3 with one
   client, and a naive Powertools handler.
2. Cost per case: state transitions, Lambda invocations and the estimated price of each path
   (auto-resolved, one-time code, escalated to an agent), with the prices assumed.
3. Local engine: automatically resolved cases per second at 8 concurrent contacts, the AWS calls a case
   makes and what the cheapest of them costs in-process (the floor under the CPU per case), where a case's
   CPU goes, and moto's side of its calls (what no split of the runtime into processes could take off moto's).
4. Warm latency of the Connect function and of POST /contacts on the local runtime.

`--quick` (the smoke test in `make test`): one interpreter per figure, few cases. Same code paths.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "shared"), str(ROOT)]

import local_runtime  # noqa: E402, F401 - side effect: the Lambda hook, before any boto3 client exists

ANCHORS = ROOT / "tools" / "bench_anchors"
EVENTS = ROOT / "events"

# The figures issue 16 measured before this work (same machine, same method), printed as "before".
PREVIOUS = {
    "bare boto3, one client": 188.0,
    "naive Powertools handler": 340.0,
    "ConnectContactFunction": 357.0,
    "ContactsApiFunction": 380.0,
    "cases_per_second": 1.9,
    "auto_resolved": (11, 8),
}
TARGET_SHARE_OF_NAIVE = 0.5
TARGET_CASES_PER_SECOND = 20.0
CONCURRENT_CONTACTS = 8

# Published on-demand prices (us-east-1, arm64), used for the per-case estimate.
TRANSITION_USD = 0.000025  # Standard workflows: per state transition
LAMBDA_REQUEST_USD = 0.0000002  # per invocation
LAMBDA_GB_SECOND_USD = 0.0000133334  # arm64
ASSUMED_MEMORY_GB = 256 / 1024  # Globals: MemorySize 256
ASSUMED_DURATION_S = 0.1  # billed duration assumed per invocation


# ---- 1. cold start -------------------------------------------------------------------------------

_IMPORT = (
    "import time,resource,importlib.util,sys;t=time.perf_counter();c=time.process_time();"
    "s=importlib.util.spec_from_file_location('h',sys.argv[1]);m=importlib.util.module_from_spec(s);"
    "s.loader.exec_module(m);"
    "print((time.perf_counter()-t)*1000, (time.process_time()-c)*1000,"
    " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)"
)


def lambda_environment() -> dict[str, str]:
    """What a function sees on Lambda: the template's variables and the runtime's own, tracing on."""
    from local_runtime.runtime import LocalRuntime

    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    env.update(LocalRuntime(seed_path=None).deployed_environment())
    env.update(
        {
            "PYTHONPATH": str(ROOT / "layers" / "shared"),  # the layer's /opt/python
            "PYTHONDONTWRITEBYTECODE": "1",
            "LAMBDA_TASK_ROOT": "/var/task",  # Powertools' Tracer turns itself off without it
            "AWS_LAMBDA_FUNCTION_NAME": "bench",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
            "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
        }
    )
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    return env


def handler_files() -> dict[str, Path]:
    from local_runtime import template

    resources = template.load(ROOT / "template.yaml")["Resources"]
    files = {}
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Function":
            module = resource["Properties"]["Handler"].rpartition(".")[0]
            files[logical_id] = ROOT / resource["Properties"]["CodeUri"] / (module.replace(".", "/") + ".py")
    return files


def built_layer(into: Path) -> Path:
    """Our package as the layer ships it (layers/shared/Makefile): with bytecode for this Python, checked
    by hash, so an import reads it instead of compiling the source. The libraries are the venv's."""
    import compileall  # section 1 only
    import py_compile
    import shutil

    target = into / "python"
    source = ROOT / "layers" / "shared" / "switchboard"
    shutil.copytree(source, target / "switchboard", ignore=shutil.ignore_patterns("__pycache__"))
    mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
    if not compileall.compile_dir(target / "switchboard", quiet=1, invalidation_mode=mode):
        raise SystemExit("bench: compiling the layer's package failed")
    return target


def cold_start(runs: int, only: set[str] | None) -> dict[str, float]:
    import tempfile  # section 1 only

    with tempfile.TemporaryDirectory(prefix="bench-layer-") as layer:
        env = {**lambda_environment(), "PYTHONPATH": str(built_layer(Path(layer)))}  # the layer's /opt/python
        return _cold_start(env, runs, only)


def _cold_start(env: dict[str, str], runs: int, only: set[str] | None) -> dict[str, float]:
    targets = {
        "bare boto3, one client": ANCHORS / "bare_boto3.py",
        "naive Powertools handler": ANCHORS / "naive_handler.py",
    }
    targets.update({k: v for k, v in handler_files().items() if only is None or k in only})
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in targets}
    for _ in range(runs):  # round-robin, so a busy moment on the machine hits every row alike
        for name, path in targets.items():
            out = subprocess.run(
                [sys.executable, "-c", _IMPORT, str(path)], capture_output=True, text=True, env=env, check=False
            )
            if out.returncode != 0:
                raise SystemExit(f"bench: importing {name} failed:\n{out.stderr}")
            ms, cpu, rss = (float(x) for x in out.stdout.split()[-3:])
            samples[name].append((ms, cpu, rss))
    medians = {name: statistics.median(ms for ms, _, _ in rows) for name, rows in samples.items()}
    cpus = {name: statistics.median(cpu for _, cpu, _ in rows) for name, rows in samples.items()}
    naive, naive_cpu = medians["naive Powertools handler"], cpus["naive Powertools handler"]
    print(
        f"== 1. cold start: handler import in a fresh interpreter, tracing ON as deployed, "
        f"median of {runs} (ms; x = share of the naive handler; target <= {TARGET_SHARE_OF_NAIVE:.2f}x for Connect and contacts)"
    )
    print("  (CPU: the same import's CPU time, steadier than the wall clock when other work shares the cores)")
    print(f"  {'':<28}{'now':>8}{'x naive':>9}{'CPU ms':>8}{'x naive':>9}{'before':>9}{'peak MiB':>10}")
    for name, rows in samples.items():
        before = PREVIOUS.get(name)
        print(
            f"  {name:<28}{medians[name]:8.1f}{medians[name] / naive:8.2f}x{cpus[name]:8.1f}{cpus[name] / naive_cpu:8.2f}x"
            f"{(f'{before:9.0f}' if before else '        -')} {max(r for _, _, r in rows):9.1f}"
        )
    return medians


# ---- 2. cost per case ----------------------------------------------------------------------------


def _history(runtime: Any, case_id: str) -> list[dict[str, Any]]:
    arn = runtime.execution_arn(case_id)
    return runtime.client("stepfunctions").get_execution_history(executionArn=arn, maxResults=1000)["events"]


def _scheduled_function(event: dict[str, Any]) -> str | None:
    """The function name or ARN a workflow history event invokes, if it invokes one."""
    if event["type"] == "LambdaFunctionScheduled":
        return str(event["lambdaFunctionScheduledEventDetails"]["resource"])
    details = event.get("taskScheduledEventDetails") or {}
    if event["type"] == "TaskScheduled" and details.get("resourceType") == "lambda":
        return str(json.loads(details["parameters"])["FunctionName"])
    return None


def _invocations(runtime: Any) -> dict[str, int]:
    return {logical_id: fn.invocations for logical_id, fn in runtime.functions.items()}


def _channel_headers(runtime: Any, channel: str) -> dict[str, str]:
    """A channel integration's credential from the seed (phone contacts over HTTP need the IVR's)."""
    client = next(c for c in runtime.seed.get("channels", []) if c["channel"] == channel)
    return {"Authorization": f"Bearer {client['token']}"}


def _first_contact(runtime: Any) -> None:
    """Clear the abuse-limit windows (template's LimitsTable), so every measured case does the work of a
    first contact for its destination instead of skipping messages past the hourly limit."""
    table = runtime.refs.get("LimitsTable")
    if not table:
        return
    ddb = runtime.client("dynamodb")
    for item in ddb.scan(TableName=table, ProjectionExpression="id")["Items"]:
        ddb.delete_item(TableName=table, Key={"id": item["id"]})


def _post_contact(client: Any, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    answer = client.request("POST", "/contacts", body, headers)
    if answer.status != 202:
        raise SystemExit(f"bench: POST /contacts answered {answer.status}: {answer.body}")
    return answer.json()


def _wait(runtime: Any, what: str, predicate: Any, timeout: float = 60) -> Any:
    return runtime.wait_for(predicate, timeout=timeout, interval=0.05, what=what)


def _auto_resolved(runtime: Any, client: Any, tag: str) -> str:
    body = json.loads(json.loads((EVENTS / "api" / "contact_web_product_info.json").read_text())["body"])
    case_id = _post_contact(client, {**body, "submissionId": f"bench-auto-{tag}"})["caseId"]
    runtime.wait_for_execution(case_id, timeout=60)
    return case_id


def _with_code(runtime: Any, client: Any, tag: str) -> str:
    event = json.loads((EVENTS / "api" / "contact_phone_zh_transactions.json").read_text())
    body = {**json.loads(event["body"]), "contactId": f"bench-code-{tag}"}
    answer = _post_contact(client, body, _channel_headers(runtime, "phone"))
    case_id, token = answer["caseId"], answer["caseToken"]

    def code() -> str | None:
        for message in runtime.outbox():
            if message["caseId"] == case_id and message["type"] == "verification_code":
                return re.search(r"(?<!\d)\d{6}(?!\d)", message["body"]).group(0)
        return None

    entered = client.request(
        "POST",
        f"/cases/{case_id}/verification",
        {"code": _wait(runtime, "the one-time code", code)},
        {"Authorization": f"Bearer {token}"},
    )
    if entered.status != 200:
        raise SystemExit(f"bench: the code was refused: {entered.body}")
    runtime.wait_for_execution(case_id, timeout=60)
    return case_id


def _escalated(runtime: Any, client: Any, tag: str) -> str:
    body = json.loads(json.loads((EVENTS / "api" / "contact_web_complaint.json").read_text())["body"])
    case_id = _post_contact(client, {**body, "submissionId": f"bench-esc-{tag}"})["caseId"]
    agent = next(a for a in runtime.seed["agents"] if "complaints" in a.get("queues", []))
    headers = {"Authorization": f"Bearer {agent['token']}"}

    def task() -> dict[str, Any] | None:  # read from the table: an agent's polling is not the case's cost
        items = runtime.client("dynamodb").scan(
            TableName=runtime.refs["TasksTable"],
            FilterExpression="caseId = :c",
            ExpressionAttributeValues={":c": {"S": case_id}},
        )["Items"]
        return {"taskId": items[0]["taskId"]["S"]} if items else None

    found = _wait(runtime, "the complaint's task", task)
    done = client.request(
        "POST",
        f"/tasks/{found['taskId']}/complete",
        {"outcome": "RESOLVED", "resolution": "called the customer back and apologised"},
        headers,
    )
    if done.status != 200:
        raise SystemExit(f"bench: the agent could not complete the task: {done.body}")
    runtime.wait_for_execution(case_id, timeout=60)
    return case_id


PATHS = {"auto-resolved": _auto_resolved, "code": _with_code, "escalated": _escalated}


def cost_per_case(runtime: Any, client: Any) -> dict[str, tuple[int, int, int]]:
    lambda_each = LAMBDA_REQUEST_USD + ASSUMED_MEMORY_GB * ASSUMED_DURATION_S * LAMBDA_GB_SECOND_USD
    print(
        f"== 2. cost per case on the real ASL (prices assumed: ${TRANSITION_USD} per state transition, "
        f"${LAMBDA_REQUEST_USD} per Lambda request, {ASSUMED_MEMORY_GB * 1024:.0f} MB arm64 x "
        f"{ASSUMED_DURATION_S * 1000:.0f} ms at ${LAMBDA_GB_SECOND_USD}/GB-s; DynamoDB/SNS/SES extra)"
    )
    print(
        f"  {'path':<15}{'transitions':>12}{'workflow λ':>12}{'API λ':>8}{'intake+workflow':>17}{'≈ USD/case':>12}   before"
    )
    figures = {}
    for path, run in PATHS.items():
        _first_contact(runtime)
        before = _invocations(runtime)
        case_id = run(runtime, client, "cost")
        after = _invocations(runtime)
        events = _history(runtime, case_id)
        transitions = sum(1 for e in events if e["type"].endswith("StateEntered"))
        workflow = sum(1 for e in events if _scheduled_function(e))
        total = sum(after.values()) - sum(before.values())
        api = total - workflow  # intake, the customer's code, the agent's calls and the authorizer
        cost = transitions * TRANSITION_USD + total * lambda_each
        previous = PREVIOUS.get(path.replace("-", "_"))
        note = f"{previous[0]} transitions, {previous[1]} invocations ≈ $0.00028" if previous else "-"
        outside = {name: after[name] - before.get(name, 0) for name in after if after[name] > before.get(name, 0)}
        for function in filter(None, map(_scheduled_function, events)):  # the workflow's share
            name = next(n for n in outside if function.endswith(n))
            outside[name] -= 1
        # as issue 16 counted them: the contact's intake and the workflow's own
        counted = workflow + outside.get("ContactsApiFunction", 0) + outside.get("ConnectContactFunction", 0)
        print(f"  {path:<15}{transitions:>12}{workflow:>12}{api:>8}{counted:>17}{cost:>12.5f}   {note}")
        print("  " + " " * 15 + "  outside the workflow: " + ", ".join(f"{n} {c}" for n, c in outside.items() if c))
        figures[path] = (transitions, workflow, api)
    print(
        "  (API λ: the contacts API for the contact and the customer's code, the agent's completion, and the\n"
        "   customer routes' Lambda authorizer in front of each; issue 16 counted intake + workflow, no authorizer.\n"
        "   intake+workflow: the contacts API's (or Connect's) and the workflow's invocations, issue 16's count.\n"
        "   Targets: auto-resolved <= 8 transitions and <= 4 invocations; escalated <= 14 transitions)"
    )
    return figures


# ---- 3. local engine throughput ------------------------------------------------------------------


def _load_customers(runtime: Any, tag: str, ids: range) -> None:
    """One customer on file per load contact, as a real load has: contacts of one customer share its
    hourly message limit (5), so a load from one customer would skip most notices instead of sending them."""
    from switchboard.adapters.repository.directory import CustomerDirectory

    directory = CustomerDirectory()
    with CALLS.harness():
        for i in ids:
            directory.put_customer(
                {
                    "customerId": f"BENCH-{tag}-{i}",
                    "name": f"Load {tag} {i}",
                    "email": f"bench-{tag}-{i}@example.com",
                    "phone": f"+1555{LOAD_PHONES[tag] + i:07d}",
                    "language": "en",
                    "accountStatus": "ACTIVE",
                }
            )


LOAD_PHONES = {"warm": 1_000_000, "load": 2_000_000}


def _contacts_at_once(runtime: Any, client: Any, ids: range, tag: str) -> tuple[list[str], float, float]:
    """`ids` auto-resolved contacts, CONCURRENT_CONTACTS at a time, each from its own customer on file
    (a first contact: every notice is sent): their statuses, wall and CPU seconds."""
    body = json.loads(json.loads((EVENTS / "api" / "contact_web_product_info.json").read_text())["body"])
    _load_customers(runtime, tag, ids)
    statuses: list[str] = []
    next_case = iter(ids)
    lock = threading.Lock()

    def contact_after_contact() -> None:
        while True:
            with lock:
                i = next(next_case, None)
            if i is None:
                return
            contact = {**body, "submissionId": f"bench-{tag}-{i}", "email": f"bench-{tag}-{i}@example.com"}
            answer = _post_contact(client, {**contact, "name": f"Load {tag} {i}"})
            with CALLS.harness():
                execution = runtime.wait_for_execution(answer["caseId"], timeout=120)
            with lock:
                statuses.append(execution["status"])

    cpu, started = time.process_time(), time.perf_counter()
    workers = [threading.Thread(target=contact_after_contact) for _ in range(CONCURRENT_CONTACTS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return statuses, time.perf_counter() - started, time.process_time() - cpu


def _function_cpu(runtime: Any) -> dict[str, float]:
    return {logical_id: fn.cpu_seconds for logical_id, fn in runtime.functions.items()}


def _environments(runtime: Any) -> int:
    return sum(getattr(fn.handler, "started", 0) for fn in runtime.functions.values())


class _CallCounter:
    """Counts the AWS calls this process makes (a botocore before-send handler, first in line)."""

    def __init__(self) -> None:
        from collections import Counter

        self.calls: Counter[str] = Counter()
        self.counting = False
        self._harness = threading.local()

    def __call__(self, event_name: str, **_: Any) -> None:
        if self.counting and not self.in_harness():
            self.calls[event_name.split(".")[2]] += 1  # before-send.<service>.<Operation>

    def in_harness(self) -> bool:
        """Whether this thread is making the bench's own calls (see `harness`)."""
        return getattr(self._harness, "on", False)

    @contextmanager
    def harness(self) -> Iterator[None]:
        """The bench's own calls on this thread (clearing limits, waiting for an execution): not a case's."""
        self._harness.on = True
        try:
            yield
        finally:
            self._harness.on = False


CALLS = _CallCounter()


class _MotoSide:
    """The CPU moto spends answering a case's calls (its request dispatch and its backends: the part that
    must stay in the one process holding moto's state), timed per call on each thread around moto's stubber,
    less any handler run inside a call, that handler's own calls included (so the figure errs low, and the
    bound it sets high); the bench's own calls left out, as in CALLS."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._lock = threading.Lock()
        self._inside = threading.local()

    @contextmanager
    def timing(self) -> Iterator[None]:
        from moto.core.botocore_stubber import BotocoreStubber

        from local_runtime import lambda_hook

        call = BotocoreStubber.__call__  # as the runtime left it (its patches applied)
        meter = self

        def timed(stubber: Any, *args: Any, **kwargs: Any) -> Any:
            if getattr(meter._inside, "on", False) or CALLS.in_harness():
                return call(stubber, *args, **kwargs)
            meter._inside.on = True
            nested, started = lambda_hook.nested_cpu_seconds(), time.thread_time()
            try:
                return call(stubber, *args, **kwargs)
            finally:
                own = time.thread_time() - started - (lambda_hook.nested_cpu_seconds() - nested)
                meter._inside.on = False
                with meter._lock:
                    meter.seconds += own

        BotocoreStubber.__call__ = timed  # type: ignore[method-assign, assignment]  # the bench's meter, for this section only
        try:
            yield
        finally:
            BotocoreStubber.__call__ = call  # type: ignore[method-assign]


def _call_floor(runtime: Any, batches: int = 9, calls: int = 40) -> list[float]:
    """CPU ms of the cheapest call a case makes (a GetItem of a small item, through boto3 and moto), per
    batch: this machine's speed moves between moments, so the bench takes batches before and after the load."""
    ddb, table = runtime.client("dynamodb"), runtime.refs["LimitsTable"]
    ddb.put_item(TableName=table, Item={"id": {"S": "bench-floor"}})
    ddb.get_item(TableName=table, Key={"id": {"S": "bench-floor"}}, ConsistentRead=True)
    floors = []
    for _ in range(batches):
        cpu = time.process_time()
        for _ in range(calls):
            ddb.get_item(TableName=table, Key={"id": {"S": "bench-floor"}}, ConsistentRead=True)
        floors.append((time.process_time() - cpu) / calls * 1000)
    ddb.delete_item(TableName=table, Key={"id": {"S": "bench-floor"}})
    return floors


def _warm_up(runtime: Any, client: Any, most_rounds: int = 5) -> int:
    """Rounds of concurrent contacts until one starts no new function environment (at least two): the
    measured cases find the environments warm, as a busy service has them. Answers the contacts made."""
    rounds = 0
    while rounds < most_rounds:
        before = _environments(runtime)
        first = rounds * CONCURRENT_CONTACTS
        _contacts_at_once(runtime, client, range(first, first + CONCURRENT_CONTACTS), "warm")
        rounds += 1
        if rounds >= 2 and _environments(runtime) == before:
            break
    return rounds * CONCURRENT_CONTACTS


def throughput(runtime: Any, client: Any, cases: int) -> float:
    # Lambda starts an execution environment per concurrent invocation (a cold start: the local runtime
    # does the same); the warm-up starts them, and the measured rounds find them warm
    warm_contacts = _warm_up(runtime, client)
    floors = _call_floor(runtime)
    environments = _environments(runtime)
    functions_before = _function_cpu(runtime)
    CALLS.calls.clear()
    CALLS.counting = True
    moto = _MotoSide()
    try:
        with moto.timing():
            statuses, elapsed, cpu = _contacts_at_once(runtime, client, range(cases), "load")
            drained = time.process_time()
            runtime.deliver_events()  # the cases' events projected too: their calls are the cases' own
            cpu_with_events = cpu + time.process_time() - drained
    finally:
        CALLS.counting = False
    by_function = {
        name: seconds - functions_before.get(name, 0.0)
        for name, seconds in _function_cpu(runtime).items()
        if seconds > functions_before.get(name, 0.0)
    }
    cold_starts = _environments(runtime) - environments
    rate = cases / elapsed
    print(
        f"== 3. local engine: {cases} auto-resolved cases, {CONCURRENT_CONTACTS} concurrent contacts, "
        f"{os.cpu_count()} cores, SurveyDelaySeconds=0 (the survey wait is a business delay, not engine work),\n"
        "  each contact from its own customer on file (a first contact: every notice sent), after a warm-up of\n"
        f"  {warm_contacts} contacts that started {environments} function environments (cold starts; "
        f"{cold_starts} more during the measured cases)"
    )
    succeeded = statuses.count("SUCCEEDED")
    print(
        f"  {rate:6.2f} cases/s  (before {PREVIOUS['cases_per_second']}/s, target {TARGET_CASES_PER_SECOND:.0f}/s); "
        f"{succeeded}/{cases} SUCCEEDED; {cpu / cases * 1000:.0f} ms CPU per case; load average {os.getloadavg()[0]:.1f}"
    )
    # one process: moto, the engine and every handler share one interpreter lock, so the CPU per case bounds it
    cores = os.cpu_count() or 1
    print(
        f"  ceiling of one process at that CPU per case: {cases / cpu:.1f} cases/s (the rest is waiting); "
        f"of all {cores} cores, were the work split\n  perfectly across processes: {cores * cases / cpu:.1f} cases/s "
        f"({TARGET_CASES_PER_SECOND:.0f}/s needs at most {1000 / TARGET_CASES_PER_SECOND:.0f} ms CPU a case in one "
        f"process, {cores * 1000 / TARGET_CASES_PER_SECOND:.0f} ms over {cores} cores)"
    )
    per_case = sum(CALLS.calls.values()) / cases
    floor = statistics.median(floors + _call_floor(runtime))
    print(
        f"  AWS calls per case (the bench's own left out): {per_case:.1f} ("
        + ", ".join(f"{name} {count / cases:.1f}" for name, count in CALLS.calls.most_common())
        + ")\n"
        f"  the cheapest of them (GetItem of a small item, boto3 + moto in this process) costs {floor:.2f} ms CPU\n"
        "  (median of batches before and after the load):\n"
        f"  {per_case:.0f} calls at that floor are {per_case * floor:.0f} ms a case, "
        f"{1000 / (per_case * floor):.1f} cases/s on one core before any handler, engine or item-size cost\n"
        # this machine's speed moves by +-15% between runs (shared cores); the ratio moves with the code only
        f"  a case's CPU in units of that cheapest call: {cpu / cases * 1000 / floor:.0f} "
        f"({TARGET_CASES_PER_SECOND:.0f}/s in one process needs {1000 / TARGET_CASES_PER_SECOND / floor:.0f})"
    )
    # where to cut next: each function's handlers (their AWS calls included) against the engine and the rest
    rest = cpu_with_events - sum(by_function.values())
    print(
        f"  where a case's CPU goes ({cpu_with_events / cases * 1000:.0f} ms with its events projected; "
        "each function's own threads, its AWS calls included):\n    "
        + ", ".join(
            f"{name.removesuffix('Function')} {seconds / cases * 1000:.1f}"
            for name, seconds in sorted(by_function.items(), key=lambda item: -item[1])
        )
        + f"; the engine, event delivery and the bench's client {rest / cases * 1000:.1f} ms"
    )
    # the bound a second process could lift at most: moto's state (tables, executions) lives in one process
    moto_ms = moto.seconds / cases * 1000
    print(
        f"  moto's side of those calls (its dispatch and backends, timed per call on each thread): {moto_ms:.0f} ms "
        f"a case, {moto.seconds / cpu_with_events:.0%} of its CPU;\n  moto's state lives in one process, so were "
        f"everything else moved to other cores, that process alone would bound the rate at {1000 / moto_ms:.1f} "
        f"cases/s\n  ({TARGET_CASES_PER_SECOND:.0f}/s needs moto's side at most {1000 / TARGET_CASES_PER_SECOND:.0f} ms "
        "a case, the engine's own work not counted)"
    )
    return rate


# ---- 4. warm latency -----------------------------------------------------------------------------


def _settled(quiet_polls: int = 3, poll: float = 0.02, timeout: float = 5.0) -> None:
    """Until no handler has run for a few polls: the last call's workflow is done or waiting (a person's
    task), so the next call is timed alone rather than sharing the interpreter with that workflow."""
    from local_runtime.lambda_hook import in_flight

    quiet, deadline = 0, time.monotonic() + timeout
    while quiet < quiet_polls and time.monotonic() < deadline:
        quiet = quiet + 1 if in_flight() == 0 else 0
        time.sleep(poll)


def warm_latency(runtime: Any, client: Any, calls: int) -> None:
    from local_runtime.lambda_hook import invoke

    connect_event = json.loads((EVENTS / "connect" / "contact_flow_account_locked.json").read_text())
    timings = []
    for i in range(calls):
        connect_event["Details"]["ContactData"]["ContactId"] = f"bench-{i}"
        _settled()
        started = time.perf_counter()
        invoke(runtime.functions["ConnectContactFunction"], connect_event)
        timings.append((time.perf_counter() - started) * 1000)
    posts = []
    body = json.loads(json.loads((EVENTS / "api" / "contact_web_product_info.json").read_text())["body"])
    for i in range(calls):
        _settled()
        started = time.perf_counter()
        client.request("POST", "/contacts", {**body, "submissionId": f"bench-web-{i}"})
        posts.append((time.perf_counter() - started) * 1000)
    print(
        f"== 4. warm latency on the local runtime ({calls} calls, each once the last one's workflow has settled;"
        " moto in-process, so an upper bound)"
    )
    print(
        f"  Connect function  p50 {statistics.median(timings):7.1f} ms  max {max(timings):7.1f} ms  (Connect allows 8000 ms)"
    )
    print(f"  POST /contacts    p50 {statistics.median(posts):7.1f} ms  max {max(posts):7.1f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 interpreter per figure, few cases")
    parser.add_argument(
        "--section", type=int, choices=range(1, 5), action="append", help="only these sections (repeatable)"
    )
    args = parser.parse_args(argv)
    sections = set(args.section or range(1, 5))
    runs, cases, calls = (1, CONCURRENT_CONTACTS, 3) if args.quick else (5, 6 * CONCURRENT_CONTACTS, 30)
    only = {"ConnectContactFunction", "ContactsApiFunction"} if args.quick else None
    if 1 in sections:
        cold_start(runs, only)
    if not sections & {2, 3, 4}:
        return

    from local_runtime.client import LocalClient
    from local_runtime.runtime import LocalRuntime

    # the runtime's handlers log as on Lambda; their warnings (the load's shared destination reaches its
    # message limit) would bury the table: errors only, as `make chaos` does
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

    from botocore.handlers import BUILTIN_HANDLERS

    # before the runtime makes its clients: botocore copies this list into each client it makes
    BUILTIN_HANDLERS.insert(0, ("before-send", CALLS))
    with LocalRuntime(parameters={"SurveyDelaySeconds": "0"}) as runtime:
        client = LocalClient(runtime)
        if 2 in sections:
            cost_per_case(runtime, client)
        if 3 in sections:
            throughput(runtime, client, cases)
        if 4 in sections:
            warm_latency(runtime, client, calls)


if __name__ == "__main__":
    main(sys.argv[1:])
