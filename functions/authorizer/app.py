"""Lambda REQUEST authorizer of the agents' and customers' routes: resolve who is calling (see
switchboard.api.authorizer)."""

import os

from switchboard.api.authorizer import default_issuers, identify, policy
from switchboard.observability import logger

LOCAL_IDENTITIES_FILE = os.environ.get("LOCAL_IDENTITIES_FILE", "")


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    who = identify(event.get("headers") or {}, default_issuers(), LOCAL_IDENTITIES_FILE)
    logger.info("caller identified", extra={"principal": who["principal"]})
    return policy(who, event["methodArn"])
