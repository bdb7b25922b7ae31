"""One template for the global and the China partitions (issue 17): with the parameter values each
region takes, the China regions get no Cognito resource and no SnapStart (neither exists there), the
global regions keep both, and a deploy in China with Cognito is refused by the template's Rules."""

from __future__ import annotations

import pytest

from local_runtime import template
from local_runtime.provision import PSEUDO_PARAMETERS
from local_runtime.runtime import ROOT

TEMPLATE = template.load(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
REGIONS = {  # the parameter values a deploy in each region takes (README, "Deploying in AWS China")
    "us-east-1": {"IdentityProvider": "cognito"},
    "ap-east-1": {"IdentityProvider": "cognito"},
    "cn-north-1": {"IdentityProvider": "oidc", "OidcIssuer": "https://id.example.cn/realms/agents"},
    "cn-northwest-1": {"IdentityProvider": "oidc", "OidcIssuer": "https://id.example.cn/realms/agents"},
}


def conditions_in(region, parameters):
    refs = {name: spec.get("Default", "") for name, spec in TEMPLATE["Parameters"].items()}
    refs.update({**PSEUDO_PARAMETERS, "AWS::Region": region, **parameters})
    return template.evaluate_conditions(TEMPLATE.get("Conditions", {}), refs)


@pytest.mark.parametrize("region", REGIONS)
def test_cognito_and_snapstart_exist_only_where_aws_offers_them(region):
    conditions = conditions_in(region, REGIONS[region])
    created = {name for name, r in RESOURCES.items() if conditions.get(r.get("Condition"), True)}
    cognito = {name for name, r in RESOURCES.items() if r["Type"].startswith("AWS::Cognito::")}
    # the caller-facing functions: the Connect one and the contacts API (an HTTP IVR's caller waits on it)
    snap_starts = [RESOURCES[f]["Properties"]["SnapStart"] for f in ("ConnectContactFunction", "ContactsApiFunction")]
    assert all(snap_start["Fn::If"][0] == "HasSnapStart" for snap_start in snap_starts)
    if region.startswith("cn-"):
        assert cognito and not cognito & created
        assert not conditions["HasSnapStart"]
    else:
        assert cognito <= created
        assert conditions["HasSnapStart"]
        assert all(snap_start["Fn::If"][1] == {"ApplyOn": "PublishedVersions"} for snap_start in snap_starts)


def test_every_output_of_a_cognito_resource_is_left_out_with_it():
    cognito = {name for name, r in RESOURCES.items() if r["Type"].startswith("AWS::Cognito::")}
    for name, output in TEMPLATE["Outputs"].items():
        if any(resource in str(output["Value"]) for resource in cognito):
            assert output.get("Condition") == "UseCognito", name


def test_a_china_deploy_without_an_oidc_issuer_is_refused_before_anything_is_created():
    rule = TEMPLATE["Rules"]["ChinaTakesAnOidcIssuer"]
    assert rule["RuleCondition"] == {"Fn::Contains": [["cn-north-1", "cn-northwest-1"], {"Ref": "AWS::Region"}]}
    assert rule["Assertions"] == [
        {
            "Assert": {"Fn::Equals": [{"Ref": "IdentityProvider"}, "oidc"]},
            "AssertDescription": rule["Assertions"][0]["AssertDescription"],
        }
    ]
