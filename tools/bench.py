"""make bench: figures, never assertions. Cold start (import time of each handler in a fresh
interpreter), warm latency of the Connect function and POST /contacts, and what one case costs
in state transitions and Lambda invocations on the local runtime."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "shared"), str(ROOT)]

# Published on-demand prices (us-east-1) used for the per-case estimate.
TRANSITION_USD = 0.000025
LAMBDA_REQUEST_USD = 0.0000002
LAMBDA_ARM_GB_SECOND_USD = 0.0000133334


def cold_imports() -> None:
    print("== cold start: handler module import in a fresh interpreter (median of 3, ms; peak RSS MiB)")
    for app in sorted((ROOT / "functions").glob("*/app.py")):
        code = (
            "import time,resource,importlib.util,sys;t=time.perf_counter();"
            f"s=importlib.util.spec_from_file_location('h',{str(app)!r});m=importlib.util.module_from_spec(s);"
            "s.loader.exec_module(m);print((time.perf_counter()-t)*1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)"
        )
        runs = []
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                env={
                    "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}",
                    "POWERTOOLS_TRACE_DISABLED": "true",
                    "AWS_DEFAULT_REGION": "us-east-1",
                },
                check=True,
            )
            runs.append([float(x) for x in out.stdout.split()])
        print(
            f"  {app.parent.name:<22} {statistics.median(r[0] for r in runs):7.1f} ms  {max(r[1] for r in runs):6.1f} MiB"
        )


def warm_latency() -> None:
    import json

    import local_runtime  # noqa: F401
    from local_runtime.client import LocalClient
    from local_runtime.lambda_hook import invoke
    from local_runtime.runtime import LocalRuntime

    with LocalRuntime() as runtime:
        client = LocalClient(runtime)
        connect_event = json.loads((ROOT / "events/connect/contact_flow_account_locked.json").read_text())
        timings = []
        for i in range(30):
            connect_event["Details"]["ContactData"]["ContactId"] = f"bench-{i}"
            started = time.perf_counter()
            invoke(runtime.functions["ConnectContactFunction"], connect_event)
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"== Connect function, warm, on moto: p50 {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms (limit 8000 ms)"
        )
        posts = []
        body = json.loads(json.loads((ROOT / "events/api/contact_web_product_info.json").read_text())["body"])
        for i in range(30):
            started = time.perf_counter()
            client.request("POST", "/contacts", {**body, "submissionId": f"bench-web-{i}"})
            posts.append((time.perf_counter() - started) * 1000)
        print(f"== POST /contacts, warm, on moto: p50 {statistics.median(posts):.1f} ms, max {max(posts):.1f} ms")
        answer = client.request("POST", "/contacts", {**body, "submissionId": "bench-cost"})
        case_id = answer.json()["caseId"]
        runtime.wait_for_execution(case_id, timeout=60)
        sfn = runtime.client("stepfunctions")
        arn = runtime.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{case_id}"
        events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        transitions = sum(1 for e in events if e["type"].endswith("StateEntered"))
        lambdas = sum(1 for e in events if e["type"] in ("TaskScheduled", "LambdaFunctionScheduled"))
        cost = transitions * TRANSITION_USD + (lambdas + 1) * (
            LAMBDA_REQUEST_USD + 0.256 * 0.1 * LAMBDA_ARM_GB_SECOND_USD
        )
        print(
            f"== one auto-resolved case: {transitions} state transitions, {lambdas + 1} Lambda invocations "
            f"≈ ${cost:.5f} per case (256 MB arm64, 100 ms each; DynamoDB/SNS/SES extra)"
        )


if __name__ == "__main__":
    cold_imports()
    warm_latency()
