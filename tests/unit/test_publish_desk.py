"""tools/publish_desk.py against moto: config.json from a deployed stack's outputs and parameters
(the Cognito hosted UI or an OIDC issuer, never seed tokens), every desk file in the bucket with its
content type, and the distribution invalidated."""

from __future__ import annotations

import json
import sys

import boto3
import pytest
from moto import mock_aws

from local_runtime.runtime import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import publish_desk

OUTPUTS = {
    "ApiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com/prod/",
    "DeskBucketName": "switchboard-desk-files",
    "DeskDistributionId": "E2DESK",
    "DeskUrl": "https://d111.cloudfront.net/",
}
COGNITO = {
    "AgentsHostedUiUrl": "https://switchboard-prod-123.auth.us-east-1.amazoncognito.com",
    "AgentsDeskClientId": "desk-client-id",
}


@pytest.fixture
def aws():
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def deploy(aws, outputs, parameters=None):
    template = {
        "Parameters": {key: {"Type": "String", "Default": ""} for key in parameters or {}},
        "Resources": {"Marker": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    aws.client("cloudformation").create_stack(
        StackName="switchboard",
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()],
    )
    return publish_desk.stack_settings("switchboard", aws.client("cloudformation"))


def test_with_cognito_the_desk_signs_in_at_the_hosted_ui_with_its_public_client(aws):
    outputs, parameters = deploy(aws, {**OUTPUTS, **COGNITO})
    config = publish_desk.desk_config(outputs, parameters)
    assert config == {
        "apiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com/prod",
        "auth": {
            "clientId": "desk-client-id",
            "authorizationEndpoint": f"{COGNITO['AgentsHostedUiUrl']}/oauth2/authorize",
            "tokenEndpoint": f"{COGNITO['AgentsHostedUiUrl']}/oauth2/token",
            "scope": "openid email profile",
        },
        "tokenSignIn": False,
        "pollSeconds": 5,
    }


def test_with_an_oidc_issuer_the_desk_signs_in_there_as_the_first_audience(aws):
    parameters = {"OidcIssuer": "https://id.example.cn/realms/agents", "OidcAudiences": "switchboard-desk,ivr"}
    config = publish_desk.desk_config(*deploy(aws, OUTPUTS, parameters))
    assert config["auth"] == {
        "issuer": parameters["OidcIssuer"],
        "clientId": "switchboard-desk",
        "scope": "openid profile",
    }
    assert config["tokenSignIn"] is False


def test_a_stack_without_the_desk_outputs_or_an_issuer_is_refused(aws):
    with pytest.raises(SystemExit, match="DeskBucketName"):
        deploy(aws, {"ApiUrl": OUTPUTS["ApiUrl"]})


def test_every_desk_file_and_the_config_go_to_the_bucket_with_their_types(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=OUTPUTS["DeskBucketName"])
    config = {"apiUrl": OUTPUTS["ApiUrl"], "auth": None, "tokenSignIn": False, "pollSeconds": 5}
    keys = publish_desk.publish(config, OUTPUTS["DeskBucketName"], s3)
    assert {"index.html", "desk.css", "js/main.js", "js/messages.js", "config.json"} <= set(keys)
    index = s3.get_object(Bucket=OUTPUTS["DeskBucketName"], Key="index.html")
    assert index["ContentType"] == "text/html; charset=utf-8" and b"js/main.js" in index["Body"].read()
    script = s3.head_object(Bucket=OUTPUTS["DeskBucketName"], Key="js/main.js")
    assert script["ContentType"] == "text/javascript; charset=utf-8"
    stored = json.loads(s3.get_object(Bucket=OUTPUTS["DeskBucketName"], Key="config.json")["Body"].read())
    assert stored == config
