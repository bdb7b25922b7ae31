"""Fault injection for DynamoDB's PutItem, UpdateItem, GetItem and Query (see test_chaos.py): 100
contacts per fault type over every path on one shared runtime, 20 % of the operation's calls failing."""

from __future__ import annotations

import pytest

from tests.workflow.test_chaos import DYNAMODB, contacts_survive

pytestmark = pytest.mark.workflow


@pytest.mark.timeout(600)
@pytest.mark.parametrize("operation", DYNAMODB)
def test_contacts_survive_a_fifth_of_a_dynamodb_operations_calls_failing(runtime, operation):
    contacts_survive(runtime, operation)
