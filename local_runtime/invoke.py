"""`make invoke FUNCTION=<LogicalId> EVENT=<file>`: one function of the template, like `sam local invoke`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .lambda_hook import invoke
from .runtime import DEFAULT_SEED, LocalRuntime


def invoke_function(logical_id: str, event_path: str, seed: str | None) -> int:
    event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    with LocalRuntime(seed_path=Path(seed) if seed else DEFAULT_SEED) as runtime:
        if logical_id not in runtime.functions:
            print(
                f"no function {logical_id} in template.yaml; choose one of: {', '.join(sorted(runtime.functions))}",
                file=sys.stderr,
            )
            return 2
        payload, error = invoke(runtime.functions[logical_id], event)
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return 1 if error else 0
