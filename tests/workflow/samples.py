"""What the event-sample smoke tests share: every file in events/, the function each one is for, and
a check that its answer is what its caller can use (no 401, no 5xx, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from local_runtime.invoke import SampleInvoker, default_given
from local_runtime.runtime import LocalRuntime
from tests.conftest import EVENTS

SAMPLES = sorted(EVENTS.rglob("*.json"))


def sample_id(path: Path) -> str:
    return str(path.relative_to(EVENTS))


def function_for(runtime: LocalRuntime, path: Path, event: dict[str, Any]) -> str:
    """API samples: the function of their route; state samples: the function named like the file;
    Connect samples: the function Amazon Connect may invoke (all read from template.yaml)."""
    if "httpMethod" in event:
        return next(
            r["function"]
            for r in runtime.routes
            if r["path"] == event["resource"] and r["method"] == event["httpMethod"].upper()
        )
    if "Details" in event:
        return SampleInvoker(runtime).connect_function()
    name = "".join(part.title() for part in path.stem.split("_")) + "Function"
    assert name in runtime.functions, f"{sample_id(path)}: no {name} in template.yaml"
    return name


def invoke_sample(runtime: LocalRuntime, path: Path) -> tuple[dict[str, Any], Any]:
    event = json.loads(path.read_text(encoding="utf-8"))
    answer, failed = SampleInvoker(runtime).invoke(function_for(runtime, path, event), event, default_given(path))
    assert not failed, f"{sample_id(path)} ended in {answer.get('errorType')}: {answer.get('errorMessage')}"
    return event, answer


def assert_usable(path: Path, event: dict[str, Any], answer: Any) -> None:
    if "httpMethod" in event:
        assert answer["statusCode"] != 401, f"{sample_id(path)}: 401 {answer['body']}"
        assert 200 <= answer["statusCode"] < 300, f"{sample_id(path)}: {answer['statusCode']} {answer['body']}"
        headers = {k.lower(): v for k, v in (answer.get("multiValueHeaders") or {}).items()}
        if headers.get("content-type", [""])[0].startswith("text/csv"):  # the yearly complaint table
            assert answer["body"].startswith("year,type,"), f"{sample_id(path)}: {answer['body'][:80]}"
        else:
            json.loads(answer["body"])
    elif "Details" in event:
        assert answer["caseId"] and answer["nextAction"], answer
        assert all(isinstance(v, str) for v in answer.values()), "Connect reads a flat map of strings"
    else:
        assert isinstance(answer, dict) and answer, f"{sample_id(path)}: {answer!r}"
