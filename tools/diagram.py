"""The README's architecture picture, generated from template.yaml and the ASL (Mermaid).

`python tools/diagram.py` prints it; `--write` replaces the block between the README's diagram
markers; tests/unit/test_diagram.py fails when the README's copy is out of date."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "shared"), str(ROOT)]  # local_runtime loads the layer

README = ROOT / "README.md"
START, END = "<!-- diagram:start (tools/diagram.py --write) -->", "<!-- diagram:end -->"
SHAPES = {"Task": '["{}"]', "Choice": '{{"{}"}}', "Wait": '(["{}"])', "Succeed": '(("{}"))', "Fail": '(("{}"))'}


def _substituted_function(value: str, substitutions: dict[str, Any]) -> str | None:
    """${TriageFunctionArn} -> TriageFunction, when the substitution is a function's Arn."""
    found = re.fullmatch(r"\$\{(\w+)\}", value or "")
    target = substitutions.get(found.group(1)) if found else None
    if isinstance(target, dict) and "Fn::GetAtt" in target:
        return str(target["Fn::GetAtt"][0])
    return None


def _state_label(name: str, state: dict[str, Any], substitutions: dict[str, Any]) -> str:
    function = _substituted_function(state.get("Resource", ""), substitutions) or _substituted_function(
        (state.get("Parameters") or {}).get("FunctionName", ""), substitutions
    )
    label = name
    if function:
        label += f"<br/><small>{function}</small>"
    if "waitForTaskToken" in json.dumps(state.get("Parameters", {})) or "WaitForTaskToken" in state.get("Resource", ""):
        label += "<br/><small>waits for a task token</small>"
    if "sqs:sendMessage" in str(substitutions.get(state.get("Resource", "")[2:-1], "")):
        label += "<br/><small>stuck-cases queue</small>"
    return label


def render(root: Path = ROOT) -> str:
    from local_runtime import template

    tpl = template.load(root / "template.yaml")
    resources = tpl["Resources"]
    (machine_id,) = [k for k, v in resources.items() if v["Type"] == "AWS::Serverless::StateMachine"]
    machine = resources[machine_id]["Properties"]
    substitutions = machine.get("DefinitionSubstitutions", {})
    definition = json.loads((root / machine["DefinitionUri"]).read_text(encoding="utf-8"))

    lines = ["flowchart TD"]
    lines.append('  subgraph edge["API Gateway and Amazon Connect"]')
    callers: list[tuple[str, str]] = []
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        routes = sorted(
            f"{e['Properties']['Method'].upper()} {e['Properties']['Path']}"
            for e in (props.get("Events") or {}).values()
            if e["Type"] == "Api" and e["Properties"]["Method"].lower() != "options"
        )
        is_connect = any(
            r["Type"] == "AWS::Lambda::Permission"
            and r["Properties"].get("Principal") == "connect.amazonaws.com"
            and r["Properties"].get("FunctionName") in ({"Ref": logical_id}, {"Ref": f"{logical_id}.Alias"})
            for r in resources.values()
        )
        if not routes and not is_connect:
            continue
        entry = ["Amazon Connect contact flow"] if is_connect else routes
        lines.append(f'    {logical_id}["{logical_id}<br/><small>{"<br/>".join(entry)}</small>"]')
        policies = json.dumps(props.get("Policies", []))
        if "StepFunctionsExecutionPolicy" in policies:
            callers.append((logical_id, "StartExecution"))
        if "states:SendTaskSuccess" in policies:
            callers.append((logical_id, "SendTaskSuccess"))
    lines.append("  end")

    lines.append(f'  subgraph {machine_id}["{machine_id} ({machine["DefinitionUri"]})"]')
    states = definition["States"]
    for name, state in states.items():
        shape = SHAPES.get(state["Type"], '["{}"]')
        lines.append(f"    {name}{shape.format(_state_label(name, state, substitutions))}")
    for name, state in states.items():
        if state.get("Next"):
            lines.append(f"    {name} --> {state['Next']}")
        for choice in state.get("Choices", []):
            lines.append(f"    {name} -->|choice| {choice['Next']}")
        if state.get("Default"):
            lines.append(f"    {name} -->|default| {state['Default']}")
        for catch in state.get("Catch", []):
            lines.append(f"    {name} -.->|{', '.join(catch['ErrorEquals'])}| {catch['Next']}")
    lines.append("  end")
    for caller, action in callers:
        target = definition["StartAt"] if action == "StartExecution" else machine_id
        lines.append(f"  {caller} ==>|{action}| {target}")
    return "\n".join(lines) + "\n"


def readme_block(diagram: str) -> str:
    return f"{START}\n```mermaid\n{diagram}```\n{END}"


def current_block(readme: str) -> str | None:
    found = re.search(re.escape(START) + r".*?" + re.escape(END), readme, re.S)
    return found.group(0) if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="replace the diagram block in README.md")
    args = parser.parse_args(argv)
    diagram = render()
    if not args.write:
        print(diagram, end="")
        return 0
    readme = README.read_text(encoding="utf-8")
    block = current_block(readme)
    if block is None:
        print(f"README.md has no {START} ... {END} block", file=sys.stderr)
        return 1
    README.write_text(readme.replace(block, readme_block(diagram)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
