"""Read template.yaml (CloudFormation short tags included) and resolve Ref / GetAtt / Sub against
the physical ids the local runtime gives each resource."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

_TAGS = ("Ref", "Condition")
_FN_TAGS = (
    "GetAtt",
    "Sub",
    "Join",
    "If",
    "Not",
    "Equals",
    "Select",
    "Split",
    "FindInMap",
    "And",
    "Or",
    "Base64",
    "Contains",
)


class _Loader(yaml.SafeLoader):
    pass


def _construct(tag: str) -> Callable[[yaml.Loader, yaml.Node], Any]:
    key = tag if tag in _TAGS else f"Fn::{tag}"

    def build(loader: yaml.Loader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, yaml.MappingNode):
            value = loader.construct_mapping(node, deep=True)
        else:
            raise yaml.constructor.ConstructorError(None, None, f"!{tag} on an unexpected node", node.start_mark)
        return {key: value}

    return build


for _tag in (*_TAGS, *_FN_TAGS):
    _Loader.add_constructor(f"!{_tag}", _construct(_tag))


def load(path: str | Path) -> dict[str, Any]:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass


class Resolver:
    """Evaluates intrinsic functions given `refs` (logical id -> Ref value) and `attrs` ((id, attr) -> value)."""

    def __init__(self, refs: dict[str, Any], attrs: dict[tuple[str, str], Any], conditions: dict[str, bool]):
        self.refs = refs
        self.attrs = attrs
        self.conditions = conditions

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.refs[arg]
            if key == "Fn::GetAtt":
                return self.attrs[(arg[0], arg[1])]
            if key == "Fn::Sub":
                template, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self(arg[1]))
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(self._sub_value(m.group(1), extra)), template)
            if key == "Fn::Join":
                return str(arg[0]).join(str(v) for v in self(arg[1]))
            if key == "Fn::If":
                return self(arg[1] if self.conditions[arg[0]] else arg[2])
            if key == "Fn::Equals":
                return self(arg[0]) == self(arg[1])
            if key == "Fn::Not":
                return not self(arg[0])
            if key == "Fn::And":
                return all(self(a) for a in arg)
            if key == "Fn::Or":
                return any(self(a) for a in arg)
            if key == "Condition":
                return self.conditions[arg]
            if key == "Fn::Split":
                return str(self(arg[1])).split(arg[0])
            if key == "Fn::Select":
                return self(arg[1])[int(arg[0])]
        return {k: self(v) for k, v in value.items()}

    def _sub_value(self, name: str, extra: dict[str, Any]) -> Any:
        if name in extra:
            return extra[name]
        if "." in name:
            resource, attr = name.split(".", 1)
            return self.attrs[(resource, attr)]
        return self.refs[name]


def evaluate_conditions(definitions: dict[str, Any], refs: dict[str, Any]) -> dict[str, bool]:
    """Every condition of a template's Conditions, given the parameters and pseudo parameters in `refs`;
    a condition may name another (`Condition: X`), in any order, as CloudFormation allows."""
    conditions: dict[str, bool] = {}
    resolver = Resolver(refs, {}, conditions)
    pending = dict(definitions)
    while pending:
        progressed = False
        for name, expression in list(pending.items()):
            try:
                conditions[name] = bool(resolver(expression))
            except KeyError:  # it names a condition not evaluated yet
                continue
            del pending[name]
            progressed = True
        if not progressed:
            raise ValueError(f"conditions that cannot be evaluated: {sorted(pending)}")
    return conditions
