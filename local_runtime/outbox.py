"""`GET /local/outbox`: every SMS, email and chat reply sent, read back from moto's SNS and SES.

Each notification the workflow records on a case carries the provider's message id; the outbox
joins the two, so the text shown is what the provider actually received."""

from __future__ import annotations

import json
from typing import Any


def _provider_messages(runtime: Any) -> dict[str, dict[str, Any]]:
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    from .runtime import ACCOUNT, REGION

    found: dict[str, dict[str, Any]] = {}
    sns = sns_backends[ACCOUNT][REGION]
    for message_id, (phone, text) in list(sns.sms_messages.items()):
        found[message_id] = {"channel": "sms", "to": phone, "subject": None, "body": text}
    chat_topic = runtime.refs.get("ChatOutboundTopic")
    if chat_topic and chat_topic in sns.topics:
        for message_id, text, subject, attributes, *_ in list(sns.topics[chat_topic].sent_notifications):
            session = (attributes or {}).get("sessionId", {}).get("Value")
            try:  # the app back end receives {"sessionId", "caseId", "text"}; show the text
                text = json.loads(text)["text"]
            except (ValueError, KeyError, TypeError):
                pass
            found[message_id] = {"channel": "chat", "to": session, "subject": subject, "body": text}
    for message in list(ses_backends[ACCOUNT][REGION].sent_messages):
        destinations = getattr(message, "destinations", {}) or {}
        to = ", ".join(destinations.get("ToAddresses", [])) if isinstance(destinations, dict) else str(destinations)
        found[message.id] = {
            "channel": "email",
            "to": to,
            "subject": getattr(message, "subject", None),
            "body": getattr(message, "body", ""),
        }
    return found


def collect(runtime: Any) -> list[dict[str, Any]]:
    from switchboard.adapters.dynamo import unmarshal

    sent = _provider_messages(runtime)
    ddb = runtime.client("dynamodb")
    messages: list[dict[str, Any]] = []
    for page in ddb.get_paginator("scan").paginate(TableName=runtime.refs["CasesTable"]):
        for item in page["Items"]:
            case = unmarshal(item)
            for note in case.get("notifications", []):
                provider = sent.get(note.get("messageId", ""))
                if provider:
                    messages.append({**provider, "type": note["type"], "caseId": case["caseId"], "at": note["at"]})
    return sorted(messages, key=lambda m: m["at"])
