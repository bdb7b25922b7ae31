"""What ops deploys: partition-neutral ARNs, log retention for every function, the desk's Cognito
client and hosted-UI domain, CORS on the customer routes, correlation ids in the API logs, and the
samconfig.toml environments, all read from template.yaml / samconfig.toml themselves."""

from __future__ import annotations

import json
import re
import tomllib

import pytest

from local_runtime import template
from local_runtime.api import ApiGateway
from local_runtime.runtime import ROOT, LocalRuntime

TEMPLATE = template.load(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = sorted(k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function")
ORIGINS = "https://form.example.com,https://www.example.com"


def of_type(kind):
    return {k: v for k, v in RESOURCES.items() if v["Type"] == kind}


# ---- issue 17 point 2: partition-neutral ARNs ---------------------------------------------------


@pytest.mark.parametrize("path", [ROOT / "template.yaml", *sorted((ROOT / "statemachine").iterdir())], ids=str)
def test_no_arn_names_the_aws_partition_by_hand(path):
    # given the template and every state machine file, then none writes the partition literally
    offending = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "arn:aws:" in line]
    assert not offending, f"{path.name}: literal arn:aws: on line(s) {offending}; use ${{AWS::Partition}}"


def test_the_asl_gets_its_service_integrations_through_substitutions():
    machine = RESOURCES["CaseWorkflow"]["Properties"]
    substitutions = machine["DefinitionSubstitutions"]
    definition = json.loads((ROOT / machine["DefinitionUri"]).read_text(encoding="utf-8"))
    integrations = {s["Resource"] for s in definition["States"].values() if s["Type"] == "Task"}
    for resource in integrations:
        name = re.fullmatch(r"\$\{(\w+)\}", resource)
        assert name, f"{resource} is not a substitution"
        value = substitutions[name.group(1)]
        if "Fn::Sub" in value:  # a service integration: its ARN is built from the partition
            assert value["Fn::Sub"].startswith("arn:${AWS::Partition}:states:::")


def test_the_local_runtime_resolves_the_integrations_to_the_aws_partition():
    resolver = template.Resolver({"AWS::Partition": "aws"}, {}, {})
    substitutions = RESOURCES["CaseWorkflow"]["Properties"]["DefinitionSubstitutions"]
    assert (
        resolver(substitutions["LambdaInvokeWaitForTaskTokenArn"]) == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    )
    assert resolver(substitutions["SqsSendMessageArn"]) == "arn:aws:states:::sqs:sendMessage"


# ---- log groups with retention ------------------------------------------------------------------


def test_every_function_has_a_log_group_with_the_retention_parameter():
    groups = of_type("AWS::Logs::LogGroup")
    named = {g["Properties"]["LogGroupName"]["Fn::Sub"]: g["Properties"] for g in groups.values()}
    for function in FUNCTIONS:
        props = named.get(f"/aws/lambda/${{{function}}}")
        assert props, f"{function} has no log group: Lambda would create one that keeps logs forever"
        assert props["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert TEMPLATE["Parameters"]["LogRetentionDays"]["Default"] == 30


def test_the_workflow_logs_to_its_log_group_with_the_same_retention():
    logging = RESOURCES["CaseWorkflow"]["Properties"]["Logging"]
    arn = logging["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]
    assert RESOURCES[arn["Fn::GetAtt"][0]]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert logging["IncludeExecutionData"] is False


# ---- the agents' desk sign-in -------------------------------------------------------------------


def test_the_desk_client_is_a_public_authorization_code_client_of_the_agents_pool():
    (client,) = [
        c["Properties"]
        for c in of_type("AWS::Cognito::UserPoolClient").values()
        if c["Properties"].get("ClientName", {}).get("Fn::Sub", "").startswith("switchboard-desk")
    ]
    assert client["UserPoolId"] == {"Ref": "AgentsUserPool"}
    assert client["GenerateSecret"] is False  # a browser cannot keep a secret: PKCE instead
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert "openid" in client["AllowedOAuthScopes"]
    assert client["CallbackURLs"] == {"Ref": "DeskCallbackUrls"}
    assert client["LogoutURLs"] == {"Ref": "DeskLogoutUrls"}
    assert "ALLOW_USER_PASSWORD_AUTH" not in client.get("ExplicitAuthFlows", [])


def test_the_hosted_ui_domain_belongs_to_the_agents_pool_and_is_an_output():
    (domain,) = of_type("AWS::Cognito::UserPoolDomain").values()
    assert domain["Properties"]["UserPoolId"] == {"Ref": "AgentsUserPool"}
    outputs = TEMPLATE["Outputs"]
    assert "${AgentsUserPoolDomain}" in outputs["AgentsHostedUiUrl"]["Value"]["Fn::Sub"]
    assert outputs["AgentsDeskClientId"]["Value"] == {"Ref": "AgentsDeskClient"}
    assert outputs["AgentsUserPoolId"]["Value"] == {"Ref": "AgentsUserPool"}


# ---- CORS on the customer routes ----------------------------------------------------------------


def test_every_customer_route_has_a_preflight_to_the_same_function_without_an_authorizer():
    events = RESOURCES["ContactsApiFunction"]["Properties"]["Events"].values()
    customer_paths = {e["Properties"]["Path"] for e in events if e["Properties"].get("Auth")}
    preflights = {e["Properties"]["Path"]: e["Properties"] for e in events if e["Properties"]["Method"] == "options"}
    assert customer_paths and customer_paths <= set(preflights)
    assert not any(p.get("Auth") for p in preflights.values())  # browsers send no credentials on a preflight


def test_api_gateways_own_errors_carry_the_cors_header():
    responses = RESOURCES["SwitchboardApi"]["Properties"]["GatewayResponses"]
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        assert "Access-Control-Allow-Origin" in responses[kind]["ResponseParameters"]["Headers"]


@pytest.fixture(scope="module")
def cors_gateway():
    with LocalRuntime(parameters={"CorsAllowedOrigins": ORIGINS}) as runtime:
        yield ApiGateway(runtime)


@pytest.mark.parametrize("origin", ORIGINS.split(","))
def test_a_preflight_from_a_configured_origin_is_allowed(cors_gateway, origin):
    # when a browser on a configured origin asks before POST /contacts
    answer = cors_gateway.handle(
        "OPTIONS",
        "/contacts",
        {"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
        b"",
        {},
    )
    # then that origin (and only it) is allowed, with the headers a channel sends
    assert answer.status == 204
    assert answer.headers["Access-Control-Allow-Origin"] == origin
    assert "Idempotency-Key" in answer.headers["Access-Control-Allow-Headers"]


def test_the_agents_routes_preflight_allows_the_first_configured_origin(cors_gateway):
    # given the desk's origin listed first, when the desk asks before GET /tasks (API Gateway's own preflight)
    answer = cors_gateway.handle(
        "OPTIONS", "/tasks", {"Origin": ORIGINS.split(",")[0], "Access-Control-Request-Method": "GET"}, b"", {}
    )
    # then that one origin is allowed: the same setting as the customer routes, no second one
    assert answer.status == 200
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGINS.split(",")[0]
    assert "AllowedOrigin" not in TEMPLATE["Parameters"]


def test_a_preflight_from_another_origin_gets_no_cors_allowance(cors_gateway):
    answer = cors_gateway.handle(
        "OPTIONS", "/contacts", {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, b"", {}
    )
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_the_customer_routes_answers_and_errors_carry_the_origin(cors_gateway):
    origin = ORIGINS.split(",")[1]
    bad = cors_gateway.handle(
        "POST", "/contacts", {"Origin": origin, "Content-Type": "application/json"}, b'{"channel": "web"}', {}
    )
    assert bad.status == 400
    assert bad.headers["Access-Control-Allow-Origin"] == origin


# ---- correlation ids ----------------------------------------------------------------------------


def test_the_api_handlers_log_with_the_request_id_as_correlation_id():
    for function in ("ContactsApiFunction", "AgentsApiFunction"):
        source = (ROOT / RESOURCES[function]["Properties"]["CodeUri"] / "app.py").read_text(encoding="utf-8")
        assert "correlation_id_path=correlation_paths.API_GATEWAY_REST" in source, function


def test_a_request_is_logged_under_its_request_id(cors_gateway):
    from switchboard.observability import logger

    # given a request API Gateway gives the id r-1, when the customers' function handles it
    event = json.loads((ROOT / "events" / "api" / "get_case.json").read_text(encoding="utf-8"))
    event["requestContext"]["requestId"] = "r-1-correlation"
    from local_runtime.lambda_hook import invoke

    invoke(cors_gateway.runtime.functions["ContactsApiFunction"], event)
    # then its log lines carry that id
    assert logger.get_correlation_id() == "r-1-correlation"


# ---- samconfig.toml ----------------------------------------------------------------------------


def test_samconfig_has_dev_and_prod_with_their_own_stacks_and_only_template_parameters():
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    stacks = set()
    for env in ("dev", "prod"):
        deploy = config[env]["deploy"]["parameters"]
        stacks.add(deploy["stack_name"])
        assert deploy["region"]
        assert "CAPABILITY_IAM" in deploy["capabilities"]
        names = set(re.findall(r"(\w+)=", deploy["parameter_overrides"]))
        assert names <= set(TEMPLATE["Parameters"]), names - set(TEMPLATE["Parameters"])
        assert f'Stage="{env}"' in deploy["parameter_overrides"]
    assert len(stacks) == 2
