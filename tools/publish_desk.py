"""`make publish-desk STACK=<stack name> [REGION=...]`: put the agent desk (desk/) in the stack's
DeskBucketName with the config.json the desk reads first, then invalidate the desk's CloudFront
distribution so the new files are served at DeskUrl.

config.json comes from the stack, never from values typed here: the API's URL (output ApiUrl) and
the sign-in the desk runs (authorization code + PKCE, a public client: no secret) - the Cognito hosted
UI and the desk's app client (outputs AgentsHostedUiUrl, AgentsDeskClientId), or, with
IdentityProvider=oidc, the issuer the stack trusts (parameters OidcIssuer and the first of
OidcAudiences, whose discovery document the desk reads). Seed tokens are not accepted there."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DESK = ROOT / "desk"
REQUIRED_OUTPUTS = ("ApiUrl", "DeskBucketName", "DeskDistributionId", "DeskUrl")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
}


def stack_settings(stack: str, cloudformation: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The stack's outputs and parameters, each as {key: value}."""
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    missing = [key for key in REQUIRED_OUTPUTS if key not in outputs]
    if missing:
        raise SystemExit(f"stack {stack} has no output(s) {', '.join(missing)}: deploy this template.yaml first")
    parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in described.get("Parameters", [])}
    return outputs, parameters


def desk_config(outputs: dict[str, str], parameters: dict[str, str]) -> dict[str, Any]:
    """What the deployed desk reads: the API, and the issuer of its authorization code + PKCE sign-in."""
    if outputs.get("AgentsHostedUiUrl"):  # IdentityProvider=cognito: the hosted UI's OAuth endpoints
        hosted_ui = outputs["AgentsHostedUiUrl"].rstrip("/")
        auth = {
            "clientId": outputs["AgentsDeskClientId"],
            "authorizationEndpoint": f"{hosted_ui}/oauth2/authorize",
            "tokenEndpoint": f"{hosted_ui}/oauth2/token",
            "scope": "openid email profile",
        }
    else:  # IdentityProvider=oidc: the desk reads the issuer's discovery document for its endpoints
        issuer = parameters.get("OidcIssuer", "").strip()
        client = parameters.get("OidcAudiences", "").split(",")[0].strip()
        if not issuer or not client:
            raise SystemExit("the stack has neither the Cognito hosted UI nor OidcIssuer and OidcAudiences set")
        auth = {"issuer": issuer, "clientId": client, "scope": "openid profile"}
    return {"apiUrl": outputs["ApiUrl"].rstrip("/"), "auth": auth, "tokenSignIn": False, "pollSeconds": 5}


def publish(config: dict[str, Any], bucket: str, s3: Any, desk: Path = DESK) -> list[str]:
    """Every file of desk/ under its relative key, and config.json; answers the keys written."""
    written = []
    for path in sorted(p for p in desk.rglob("*") if p.is_file()):
        key = path.relative_to(desk).as_posix()
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type, CacheControl="no-cache")
        written.append(key)
    body = json.dumps(config, indent=2).encode()
    s3.put_object(
        Bucket=bucket, Key="config.json", Body=body, ContentType=CONTENT_TYPES[".json"], CacheControl="no-cache"
    )
    return [*written, "config.json"]


def invalidate(distribution: str, cloudfront: Any) -> str:
    batch = {"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": f"publish-desk-{time.time_ns()}"}
    return cloudfront.create_invalidation(DistributionId=distribution, InvalidationBatch=batch)["Invalidation"]["Id"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--region")
    args = parser.parse_args(argv)
    import boto3

    session = boto3.Session(region_name=args.region)
    outputs, parameters = stack_settings(args.stack, session.client("cloudformation"))
    config = desk_config(outputs, parameters)
    keys = publish(config, outputs["DeskBucketName"], session.client("s3"))
    invalidation = invalidate(outputs["DeskDistributionId"], session.client("cloudfront"))
    print(f"{len(keys)} files in s3://{outputs['DeskBucketName']}; invalidation {invalidation}")
    print(f"the desk: {outputs['DeskUrl']}  (sign-in: {config['auth'].get('issuer') or 'the Cognito hosted UI'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
