"""template.yaml -> moto, as CloudFormation and SAM would deploy it: each resource's physical name and
ARN (what `!Ref` and `!GetAtt` answer), the tables, topics, queues, buses and state machine, and the
API's routes and authorizers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import template

ACCOUNT = "123456789012"
REGION = "us-east-1"
PSEUDO_PARAMETERS = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "switchboard-local",
    "AWS::NoValue": None,
}


def physical_ids(
    resources: dict[str, dict[str, Any]], refs: dict[str, Any], attrs: dict[tuple[str, str], Any], stage: str
) -> None:
    """Fill `refs` and `attrs` with every resource's name and ARN (the parameters are in `refs` already)."""
    refs.update(PSEUDO_PARAMETERS)
    for logical_id, resource in resources.items():
        kind = resource["Type"]
        physical = f"switchboard-{stage}-{logical_id}"
        if kind == "AWS::DynamoDB::Table":
            refs[logical_id] = physical
            attrs[(logical_id, "Arn")] = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{physical}"
        elif kind == "AWS::SNS::Topic":
            arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{physical}"
            refs[logical_id] = arn
            attrs[(logical_id, "TopicName")] = physical
            attrs[(logical_id, "TopicArn")] = arn
        elif kind == "AWS::SQS::Queue":
            refs[logical_id] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{physical}"
            attrs[(logical_id, "QueueName")] = physical
            attrs[(logical_id, "Arn")] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{physical}"
        elif kind == "AWS::Events::EventBus":
            name = template.Resolver(refs, attrs, {})(resource["Properties"]["Name"])
            refs[logical_id] = name
            attrs[(logical_id, "Arn")] = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}"
            attrs[(logical_id, "Name")] = name
        elif kind == "AWS::Events::Archive":
            refs[logical_id] = physical
            attrs[(logical_id, "Arn")] = f"arn:aws:events:{REGION}:{ACCOUNT}:archive/{physical}"
        elif kind == "AWS::Serverless::Function":
            refs[logical_id] = physical
            attrs[(logical_id, "Arn")] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{physical}"
            alias = resource["Properties"].get("AutoPublishAlias")
            if alias:  # SAM's `!Ref Function.Alias`; the hook drops the qualifier when invoked
                refs[f"{logical_id}.Alias"] = f"{attrs[(logical_id, 'Arn')]}:{alias}"
        elif kind == "AWS::Serverless::StateMachine":
            arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{physical}"
            refs[logical_id] = arn
            attrs[(logical_id, "Name")] = physical
            attrs[(logical_id, "Arn")] = arn
        elif kind == "AWS::S3::Bucket":  # the desk's bucket: make serve serves desk/ itself (local_runtime/desk.py)
            refs[logical_id] = physical.lower()
            attrs[(logical_id, "Arn")] = f"arn:aws:s3:::{physical.lower()}"
            attrs[(logical_id, "RegionalDomainName")] = f"{physical.lower()}.s3.{REGION}.amazonaws.com"
        elif kind.startswith("AWS::CloudFront::"):  # no local counterpart either: names for the references
            refs[logical_id] = attrs[(logical_id, "Id")] = physical
            attrs[(logical_id, "DomainName")] = f"{physical.lower()}.cloudfront.net"
            attrs[(logical_id, "S3CanonicalUserId")] = physical
        else:  # resources with no local counterpart (Cognito, alarms, log groups, layers...)
            refs[logical_id] = physical
            attrs[(logical_id, "Arn")] = f"arn:aws:local:{REGION}:{ACCOUNT}:{physical}"
            attrs[(logical_id, "Name")] = physical


def create_resources(
    resources: dict[str, dict[str, Any]],
    refs: dict[str, Any],
    attrs: dict[tuple[str, str], Any],
    resolver: template.Resolver,
    client: Any,
) -> None:
    """The stateful resources moto keeps: tables (with their indexes and TTL), topics, queues, buses."""
    ddb, sns, sqs, events = (client(s) for s in ("dynamodb", "sns", "sqs", "events"))
    for logical_id, resource in resources.items():
        kind, props = resource["Type"], resolver(resource.get("Properties", {}))
        if kind == "AWS::DynamoDB::Table":
            spec = {k: props[k] for k in ("AttributeDefinitions", "KeySchema")}
            spec["BillingMode"] = props.get("BillingMode", "PAY_PER_REQUEST")
            if props.get("GlobalSecondaryIndexes"):
                spec["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
            ddb.create_table(TableName=refs[logical_id], **spec)
            ttl = props.get("TimeToLiveSpecification")
            if ttl:
                ddb.update_time_to_live(TableName=refs[logical_id], TimeToLiveSpecification=ttl)
        elif kind == "AWS::SNS::Topic":
            sns.create_topic(Name=attrs[(logical_id, "TopicName")])
        elif kind == "AWS::SQS::Queue":
            sqs.create_queue(QueueName=attrs[(logical_id, "QueueName")])
        elif kind == "AWS::Events::EventBus":
            events.create_event_bus(Name=refs[logical_id])
    for logical_id, resource in resources.items():  # what needs a bus: archives, and rules to functions
        kind, props = resource["Type"], resolver(resource.get("Properties", {}))
        if kind == "AWS::Events::Archive":
            events.create_archive(
                ArchiveName=refs[logical_id],
                EventSourceArn=props["SourceArn"],
                EventPattern=json.dumps(props.get("EventPattern") or {}),
                RetentionDays=int(props.get("RetentionDays", 0)),
            )
        elif kind == "AWS::Serverless::Function":
            create_event_rules(logical_id, props, attrs, events)


def create_event_rules(logical_id: str, props: dict[str, Any], attrs: dict[tuple[str, str], Any], events: Any) -> None:
    """A function's EventBridgeRule events, as SAM makes them: a rule on the bus with the function as its
    target (local_runtime/eventbridge.py delivers to it as EventBridge does)."""
    for name, event in (props.get("Events") or {}).items():
        if event["Type"] != "EventBridgeRule":
            continue
        spec = event["Properties"]
        rule = f"{logical_id}{name}"
        bus = spec.get("EventBusName", "default")
        events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(spec["Pattern"]), State="ENABLED")
        events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": name, "Arn": attrs[(logical_id, "Arn")]}])


def create_state_machine(
    resources: dict[str, dict[str, Any]],
    attrs: dict[tuple[str, str], Any],
    resolver: template.Resolver,
    sfn: Any,
    root: Path,
) -> str:
    """The template's state machine from its ASL file, with the template's DefinitionSubstitutions."""
    arn = ""
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::StateMachine":
            continue
        props = resource["Properties"]
        definition = (root / props["DefinitionUri"]).read_text(encoding="utf-8")
        for key, value in resolver(props.get("DefinitionSubstitutions", {})).items():
            definition = definition.replace("${" + key + "}", str(value))
        answer = sfn.create_state_machine(
            name=attrs[(logical_id, "Name")],
            definition=definition,
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/{logical_id}Role",
            type=props.get("Type", "STANDARD"),
        )
        arn = answer["stateMachineArn"]
    return arn


def api_routes(resources: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """(routes, authorizers) of the template's API: each function's Api events, and each authorizer's
    function and the headers it requires (its identity sources)."""
    authorizers: dict[str, dict[str, Any]] = {}
    routes: list[dict[str, Any]] = []
    for resource in resources.values():
        if resource["Type"] != "AWS::Serverless::Api":
            continue
        for name, spec in ((resource["Properties"].get("Auth") or {}).get("Authorizers") or {}).items():
            if "FunctionArn" not in spec:  # every route's authorizer is our function: it runs here as is
                raise ValueError(f"authorizer {name}: the local runtime runs Lambda authorizers only")
            headers = (spec.get("Identity") or {}).get("Headers") or []
            authorizers[name] = {"function": spec["FunctionArn"]["Fn::GetAtt"][0], "headers": headers}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in (resource["Properties"].get("Events") or {}).values():
            if event["Type"] != "Api":
                continue
            props = event["Properties"]
            routes.append(
                {
                    "function": logical_id,
                    "method": props["Method"].upper(),
                    "path": props["Path"],
                    "authorizer": (props.get("Auth") or {}).get("Authorizer"),
                }
            )
    return routes, authorizers
