"""`make seed-aws STACK=<stack name> [SEED=file] [REGION=...]`: load a seed file's customers,
transactions and agents into a deployed stack.

The tables and the agents' user pool come from the stack's outputs (CustomersTableName,
TransactionsTableName, AgentsUserPoolId), never from names typed here. Customers and transactions go
in through the same repositories the functions use; agents become Cognito users (username = agentId)
in the groups named after their queues, with the languages and capacity the hand-out reads from
their ID token (custom:languages, custom:capacity), with no password and no invitation sent: the operator sets
one (`aws cognito-idp admin-set-user-password`) or invites them by email. The seed's local bearer
tokens are never sent to AWS. Running it again overwrites the same items and brings existing users' attributes up to date."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "shared"), str(ROOT)]

REQUIRED_OUTPUTS = ("CustomersTableName", "TransactionsTableName", "AgentsUserPoolId")


def stack_outputs(stack: str, cloudformation: Any) -> dict[str, str]:
    """The stack's outputs as {OutputKey: OutputValue}."""
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    missing = [key for key in REQUIRED_OUTPUTS if key not in outputs]
    if missing:
        raise SystemExit(f"stack {stack} has no output(s) {', '.join(missing)}: deploy this template.yaml first")
    return outputs


def agent_attributes(agent: dict[str, Any]) -> list[dict[str, str]]:
    """The user's attributes the hand-out reads from the ID token (custom:languages, custom:capacity;
    the template's user pool schema), besides the display name."""
    attributes = [{"Name": "name", "Value": agent.get("name", agent["agentId"])}]
    if agent.get("languages"):
        attributes.append({"Name": "custom:languages", "Value": ",".join(agent["languages"])})
    if agent.get("capacity"):
        attributes.append({"Name": "custom:capacity", "Value": str(int(agent["capacity"]))})
    return attributes


def seed_stack(
    seed: dict[str, Any],
    outputs: dict[str, str],
    dynamodb: Any,
    cognito: Any,
    resolve_time: Callable[[str], str],
    say: Callable[[str], None] = print,
) -> dict[str, int]:
    """Load the seed into the stack named by `outputs`; answer how many of each were written."""
    from switchboard.adapters.repository.directory import CustomerDirectory, Ledger

    directory = CustomerDirectory(dynamodb, outputs["CustomersTableName"])
    ledger = Ledger(dynamodb, outputs["TransactionsTableName"])
    for customer in seed.get("customers", []):
        directory.put_customer(customer)
    for transaction in seed.get("transactions", []):
        ledger.put({**transaction, "createdAt": resolve_time(transaction["createdAt"])})
    say(f"customers: {len(seed.get('customers', []))}, transactions: {len(seed.get('transactions', []))}")

    pool = outputs["AgentsUserPoolId"]
    groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool, Limit=60)["Groups"]}
    created = 0
    for agent in seed.get("agents", []):
        unknown = [q for q in agent.get("queues", []) if q not in groups]
        if unknown:
            raise SystemExit(f"agent {agent['agentId']}: no group for queue(s) {', '.join(unknown)} in {pool}")
        attributes = agent_attributes(agent)
        try:
            cognito.admin_create_user(
                UserPoolId=pool, Username=agent["agentId"], UserAttributes=attributes, MessageAction="SUPPRESS"
            )
            created += 1
        except cognito.exceptions.UsernameExistsException:  # a second run: keep the user, bring it up to date
            cognito.admin_update_user_attributes(UserPoolId=pool, Username=agent["agentId"], UserAttributes=attributes)
        for queue in agent.get("queues", []):
            cognito.admin_add_user_to_group(UserPoolId=pool, Username=agent["agentId"], GroupName=queue)
        say(f"agent {agent['agentId']}: groups {', '.join(agent.get('queues', []))}")
    return {
        "customers": len(seed.get("customers", [])),
        "transactions": len(seed.get("transactions", [])),
        "agents": len(seed.get("agents", [])),
        "agentsCreated": created,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", required=True, help="the deployed stack's name, e.g. switchboard-dev")
    parser.add_argument("--seed", default=str(ROOT / "local_runtime" / "seed.json"))
    parser.add_argument("--region", default=None, help="else the AWS CLI's configured region")
    args = parser.parse_args(argv)

    import boto3

    # The seed format's relative dates ("now-23d") are the local runtime's; importing it installs
    # its Lambda hook into botocore, which answers only Lambda invocations (this tool makes none).
    from local_runtime.runtime import resolve_time

    session = boto3.session.Session(region_name=args.region)
    seed = json.loads(Path(args.seed).read_text(encoding="utf-8"))
    outputs = stack_outputs(args.stack, session.client("cloudformation"))
    print(f"seeding {args.stack} ({session.region_name}) from {args.seed}")
    seed_stack(seed, outputs, session.client("dynamodb"), session.client("cognito-idp"), resolve_time)
    print("done: set each agent's password (aws cognito-idp admin-set-user-password) or invite them by email")
    return 0


if __name__ == "__main__":
    sys.exit(main())
