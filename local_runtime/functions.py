"""The template's functions as local Lambda functions: each one's handler module, loaded per execution
environment as Lambda would, registered with the Lambda hook; and the environment variables the
template gives them."""

from __future__ import annotations

import importlib.util
import os
import sys
from functools import partial
from pathlib import Path
from typing import Any

from . import lambda_hook, template


def load_handler(logical_id: str, module_path: Path, attr: str, number: int) -> Any:
    """Run a function's handler module as a fresh execution environment would, and answer its handler."""
    name = f"switchboard_fn_{logical_id}" + (f"_{number}" if number > 1 else "")
    spec = importlib.util.spec_from_file_location(name, module_path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{logical_id}: no handler module at {module_path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return getattr(module, attr)


def function_environment(tmpl: dict[str, Any], resolver: template.Resolver) -> dict[str, str]:
    """Globals' variables plus every function's own. Set once: moto runs executions on worker
    threads, so per-invocation os.environ swaps would race."""
    env = dict(resolver(tmpl.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})))
    for resource in tmpl["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            env.update(resolver(resource["Properties"].get("Environment", {}).get("Variables", {})))
    env["POWERTOOLS_LOG_LEVEL"] = os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING")
    return {k: str(v) for k, v in env.items()}


def register_functions(
    tmpl: dict[str, Any], refs: dict[str, Any], attrs: dict[tuple[str, str], Any], root: Path
) -> dict[str, lambda_hook.LocalFunction]:
    """Every AWS::Serverless::Function, with its timeout and memory (or Globals'), hooked by name and ARN."""
    globals_ = tmpl.get("Globals", {}).get("Function", {})
    functions = {}
    for logical_id, resource in tmpl["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        module_name, _, attr = props["Handler"].rpartition(".")
        module_path = root / props["CodeUri"] / (module_name.replace(".", "/") + ".py")
        function = lambda_hook.LocalFunction(
            logical_id=logical_id,
            name=refs[logical_id],
            arn=attrs[(logical_id, "Arn")],
            handler=lambda_hook.Environments(partial(load_handler, logical_id, module_path, attr)),
            timeout=int(props.get("Timeout", globals_.get("Timeout", 3))),
            memory=int(props.get("MemorySize", globals_.get("MemorySize", 128))),
        )
        lambda_hook.register(function)
        functions[logical_id] = function
    return functions
