"""tools/seed_aws.py against moto: a stack whose outputs name the template's tables (created from
template.yaml by the local runtime, unseeded) and an agents' user pool with the template's queue groups."""

from __future__ import annotations

import json
import sys

import pytest

from local_runtime.runtime import DEFAULT_SEED, ROOT, LocalRuntime

sys.path.insert(0, str(ROOT / "tools"))
import seed_aws

SEED = json.loads(DEFAULT_SEED.read_text(encoding="utf-8"))
STACK = "switchboard-test"


@pytest.fixture(scope="module")
def deployed():
    """The template's tables (no seed), a user pool with the template's groups, and a CloudFormation
    stack whose outputs point at them, as `sam deploy` leaves them."""
    with LocalRuntime(seed_path=None) as runtime:
        cognito = runtime.client("cognito-idp")
        schema = runtime.resources["AgentsUserPool"]["Properties"]["Schema"]
        pool = cognito.create_user_pool(PoolName="switchboard-agents-test", Schema=schema)["UserPool"]["Id"]
        for resource in runtime.resources.values():
            if resource["Type"] == "AWS::Cognito::UserPoolGroup":
                cognito.create_group(UserPoolId=pool, GroupName=resource["Properties"]["GroupName"])
        outputs = {
            "CustomersTableName": runtime.refs["CustomersTable"],
            "TransactionsTableName": runtime.refs["TransactionsTable"],
            "AgentsUserPoolId": pool,
        }
        stack_template = {
            "Resources": {"Marker": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {key: {"Value": value} for key, value in outputs.items()},
        }
        runtime.client("cloudformation").create_stack(StackName=STACK, TemplateBody=json.dumps(stack_template))
        yield runtime, pool


def test_the_template_outputs_what_the_seed_tool_reads():
    from local_runtime import template

    outputs = template.load(ROOT / "template.yaml")["Outputs"]
    assert set(seed_aws.REQUIRED_OUTPUTS) <= set(outputs)


def test_seed_aws_loads_customers_transactions_and_agents_into_the_stack(deployed, capsys):
    runtime, pool = deployed
    # when ops runs the tool against the stack
    assert seed_aws.main(["--stack", STACK, "--region", "us-east-1"]) == 0
    # then customers are found by id and by their aliases, as the functions look them up
    from switchboard.adapters.repository.directory import CustomerDirectory, Ledger

    ddb = runtime.client("dynamodb")
    directory = CustomerDirectory(ddb, runtime.refs["CustomersTable"])
    for customer in SEED["customers"]:
        assert directory.by_id(customer["customerId"])["name"] == customer["name"]
        assert directory.by_alias("PHONE", customer["phone"])["customerId"] == customer["customerId"]
    # and every transaction is in the ledger with an absolute time
    ledger = Ledger(ddb, runtime.refs["TransactionsTable"])
    for transaction in SEED["transactions"]:
        stored = ledger.get(transaction["customerId"], transaction["transactionId"])
        assert stored and stored["amount"] == transaction["amount"]
        assert not stored["createdAt"].startswith("now")
    # and each agent is a Cognito user in the groups of their queues, with no local token sent
    cognito = runtime.client("cognito-idp")
    for agent in SEED["agents"]:
        groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username=agent["agentId"])["Groups"]
        assert {g["GroupName"] for g in groups} == set(agent["queues"])
        user = cognito.admin_get_user(UserPoolId=pool, Username=agent["agentId"])
        assert agent["token"] not in json.dumps(user, default=str)
        # with the languages and capacity the hand-out reads from the agent's ID token
        attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        assert attributes["custom:languages"] == ",".join(agent["languages"])
        assert attributes.get("custom:capacity") == (str(agent["capacity"]) if agent.get("capacity") else None)
    assert "local-agent" not in capsys.readouterr().out


def test_a_second_run_keeps_the_users_and_answers_the_same(deployed):
    runtime, pool = deployed
    from local_runtime.runtime import resolve_time

    outputs = seed_aws.stack_outputs(STACK, runtime.client("cloudformation"))
    again = seed_aws.seed_stack(
        SEED, outputs, runtime.client("dynamodb"), runtime.client("cognito-idp"), resolve_time, say=lambda _: None
    )
    assert again["agents"] == len(SEED["agents"]) and again["agentsCreated"] == 0
    users = runtime.client("cognito-idp").list_users(UserPoolId=pool)["Users"]
    assert len(users) == len(SEED["agents"])


def test_a_second_run_brings_an_agents_languages_and_capacity_up_to_date(deployed):
    runtime, pool = deployed
    from local_runtime.runtime import resolve_time

    # given the seed changed: agent-liu now takes 5 tasks at once and speaks English only
    changed = json.loads(json.dumps(SEED))
    liu = next(a for a in changed["agents"] if a["agentId"] == "agent-liu")
    liu.update(capacity=5, languages=["en"])
    outputs = seed_aws.stack_outputs(STACK, runtime.client("cloudformation"))
    seed_aws.seed_stack(
        changed, outputs, runtime.client("dynamodb"), runtime.client("cognito-idp"), resolve_time, say=lambda _: None
    )
    # then the user's token claims will say so
    user = runtime.client("cognito-idp").admin_get_user(UserPoolId=pool, Username="agent-liu")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["custom:capacity"] == "5" and attributes["custom:languages"] == "en"


def test_a_stack_without_the_outputs_is_refused_by_name(deployed):
    runtime, _ = deployed
    runtime.client("cloudformation").create_stack(
        StackName="not-switchboard",
        TemplateBody=json.dumps({"Resources": {"Marker": {"Type": "AWS::SNS::Topic"}}}),
    )
    with pytest.raises(SystemExit, match="CustomersTableName"):
        seed_aws.stack_outputs("not-switchboard", runtime.client("cloudformation"))


def test_an_agent_of_a_queue_with_no_group_is_refused(deployed):
    runtime, _ = deployed
    outputs = seed_aws.stack_outputs(STACK, runtime.client("cloudformation"))
    seed = {"agents": [{"agentId": "agent-x", "queues": ["no_such_queue"], "token": "t"}]}
    with pytest.raises(SystemExit, match="no_such_queue"):
        seed_aws.seed_stack(seed, outputs, runtime.client("dynamodb"), runtime.client("cognito-idp"), str)
