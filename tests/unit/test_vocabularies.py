"""One vocabulary type per set of ids, and the data and the state machine speak it: the notification
types are the templates' names and every notification the ASL names is one of them; the queues are
the routing policy's."""

from __future__ import annotations

import json
import typing

from switchboard.domain.models import NotificationType, Queue
from switchboard.domain.routing import policy

from local_runtime.runtime import ROOT

DATA = ROOT / "layers" / "shared" / "switchboard" / "data"


def named_in_asl(key: str) -> set[str]:
    found: set[str] = set()

    def walk(node: typing.Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == key and isinstance(v, str):
                    found.add(v)
                walk(v)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in (ROOT / "statemachine").glob("*.asl.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def test_notification_types_are_the_templates_and_cover_the_state_machine():
    # given the NotificationType vocabulary, the message templates and the notices the ASL names
    types = set(typing.get_args(NotificationType))
    templates = set(json.loads((DATA / "templates.json").read_text(encoding="utf-8"))["templates"])
    asl = named_in_asl("notification")
    # then there is one template per type, and the state machine names no other type
    assert types == templates
    assert asl and asl <= types, asl - types


def test_queues_are_the_routing_policys():
    # given the Queue vocabulary and the queues the routing policy routes intents to
    queues = set(typing.get_args(Queue))
    routed = {rule["queue"] for rule in policy()["intents"].values()}
    # then every routed queue is one of them, and supervisors is there for expired SLAs
    assert routed <= queues and "supervisors" in queues


def test_the_repeat_contact_intents_are_routed_intents():
    # given the intents whose open cases a repeat contact joins (routing policy, repeatContacts)
    joining = set(policy()["repeatContacts"]["intents"])
    # then each is an intent the policy routes, and the window is a positive number of seconds
    assert joining and joining <= set(policy()["intents"])
    assert int(policy()["repeatContacts"]["windowSeconds"]) > 0
