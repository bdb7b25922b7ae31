"""The desk's hosting in template.yaml (issue 13, point 1): a private bucket read only by the desk's
CloudFront distribution (origin access control; an origin access identity in the China regions),
HTTPS only, security headers whose CSP lets the page call the API and the sign-in issuer only."""

from __future__ import annotations

import pytest

from local_runtime import template
from local_runtime.provision import PSEUDO_PARAMETERS
from local_runtime.runtime import ROOT
from tests.unit.test_regions import REGIONS, conditions_in

TEMPLATE = template.load(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
DISTRIBUTION = RESOURCES["DeskDistribution"]["Properties"]["DistributionConfig"]


class Attributes(dict):
    """Every resource's attribute as a placeholder: <Resource.Attribute>."""

    def __missing__(self, key):
        return f"<{key[0]}.{key[1]}>"


def resolved(value, region):
    refs = {name: spec.get("Default", "") for name, spec in TEMPLATE["Parameters"].items()}
    refs.update({**PSEUDO_PARAMETERS, "AWS::Region": region, **REGIONS[region]})
    refs.update({name: f"<{name}>" for name in RESOURCES})
    return template.Resolver(refs, Attributes(), conditions_in(region, REGIONS[region]))(value)


def test_the_bucket_is_private_and_refuses_plain_http():
    bucket = RESOURCES["DeskBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    statements = RESOURCES["DeskBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    deny = next(s for s in statements if s["Effect"] == "Deny")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_viewers_get_https_only_and_the_security_headers():
    behaviour = DISTRIBUTION["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "https-only"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "DeskSecurityHeaders"}
    headers = RESOURCES["DeskSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["FrameOptions"]["FrameOption"] == "DENY" and headers["ContentTypeOptions"]["Override"]


@pytest.mark.parametrize("region", REGIONS)
def test_only_the_distribution_reads_the_bucket_in_every_region(region):
    conditions = conditions_in(region, REGIONS[region])
    created = {name for name, r in RESOURCES.items() if conditions.get(r.get("Condition"), True)}
    statements = RESOURCES["DeskBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allow = resolved(next(s for s in statements if s["Effect"] == "Allow"), region)
    origin = resolved(DISTRIBUTION["Origins"][0], region)
    if region.startswith("cn-"):  # no origin access control in the China regions: an origin access identity
        assert "DeskOriginAccessControl" not in created and "DeskOriginAccessIdentity" in created
        assert allow["Principal"] == {"CanonicalUser": "<DeskOriginAccessIdentity.S3CanonicalUserId>"}
        assert origin["S3OriginConfig"]["OriginAccessIdentity"].endswith("<DeskOriginAccessIdentity>")
    else:
        assert "DeskOriginAccessControl" in created and "DeskOriginAccessIdentity" not in created
        assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert allow["Condition"]["StringEquals"]["AWS:SourceArn"].endswith("distribution/<DeskDistribution>")
        assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""


@pytest.mark.parametrize("region", REGIONS)
def test_the_page_may_call_only_the_api_and_the_sign_in_issuer(region):
    config = RESOURCES["DeskSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    policy = resolved(config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"], region)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'none'"
    sources = directives["connect-src"].split()
    assert sources[:2] == ["'self'", f"https://<SwitchboardApi>.execute-api.{region}.amazonaws.com"]
    issuer = (
        "https://id.example.cn"
        if region.startswith("cn-")
        else f"https://<AgentsUserPoolDomain>.auth.{region}.amazoncognito.com"
    )
    assert sources[2:] == [issuer]
