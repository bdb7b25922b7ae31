"""Every ${Var} in the ASL has a DefinitionSubstitutions entry in template.yaml, and the reverse."""

import json
import re

from local_runtime import template
from local_runtime.runtime import ROOT


def test_every_placeholder_is_substituted_and_every_substitution_is_used():
    tpl = template.load(ROOT / "template.yaml")
    machines = [r for r in tpl["Resources"].values() if r["Type"] == "AWS::Serverless::StateMachine"]
    assert machines
    for machine in machines:
        text = (ROOT / machine["Properties"]["DefinitionUri"]).read_text(encoding="utf-8")
        placeholders = set(re.findall(r"\$\{(\w+)\}", text))
        substitutions = set(machine["Properties"]["DefinitionSubstitutions"])
        assert placeholders == substitutions
        json.loads(text)  # still valid JSON with placeholders in strings


def test_every_task_retries_and_catches():
    definition = json.loads((ROOT / "statemachine" / "case_workflow.asl.json").read_text(encoding="utf-8"))
    for name, state in definition["States"].items():
        if state["Type"] != "Task":
            continue
        assert state.get("Retry"), f"{name} has no Retry"
        if name == "LastResort":  # the end of the failure path: retried, then the execution fails (alarmed)
            continue
        assert state.get("Catch"), f"{name} has no Catch"
        if "waitfortasktoken" in state["Resource"].lower():  # ${LambdaInvokeWaitForTaskTokenArn}
            assert "TimeoutSecondsPath" in state or "TimeoutSeconds" in state, f"{name} waits without a bound"
