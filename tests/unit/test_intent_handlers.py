"""Resolve answers through one handler per intent, behind a registry: the registry holds exactly the
intents the routing policy (data/routing.json) lets the workflow answer automatically."""

from __future__ import annotations

from switchboard.domain.routing import policy
from switchboard.nlp.model import INTENTS
from switchboard.workflow.intents import HANDLERS


def test_every_automatic_intent_has_a_handler_and_no_handler_waits_on_a_manual_one():
    # given the routing policy's intents and whether each may be answered automatically
    automatic = {intent for intent, rule in policy()["intents"].items() if rule["automatic"]}
    # then the registry holds a handler for exactly those, each a known intent id
    assert set(HANDLERS) == automatic
    assert set(HANDLERS) <= set(INTENTS)
    assert all(callable(handler) for handler in HANDLERS.values())
