"""Customer notifications: the right channel and language, exactly once per case and type.

Once: a dedupe marker (`sent_<type>`) is claimed PENDING on the case with a conditional write before
anything is sent and set to the send time in the same write that records the notice. A PENDING marker
(a failed send, or a send whose record failed) may be claimed again by the state's retry: a notice is
sent at least once and recorded; one that fails for good is recorded FAILED (record_delivery_failure)."""

from __future__ import annotations

import json
from typing import Any

from ..adapters import aws
from ..adapters.limits import Limits, subject_key
from ..adapters.repository.cases import CaseRepository, timeline_entry
from ..adapters.repository.directory import CustomerDirectory
from ..adapters.transports import EmailTransport, SmsTransport, email_transport, sms_transport
from ..config import settings
from ..domain.clock import iso
from ..domain.errors import NotificationDeliveryError, TransientError, failure_message
from ..domain.masking import mask_email, mask_phone
from ..domain.models import DeliveryFailureRecorded, NotificationOutcome
from ..observability import logger

_CONTACT_FIELD = {"sms": "phone", "email": "email"}
REPEATABLE = frozenset({"verification_code"})  # a new code may be sent on a new attempt
PENDING = "PENDING"


def destination(
    case: dict[str, Any], customer: dict[str, Any] | None, notification_type: str
) -> tuple[str, str] | None:
    """(channel, address), or None. Messages go only to contact details on file or to the
    authenticated channel's own caller: codes and statements only to details on file; other notices
    follow the preference on file of a matched customer, else the phone channel's caller (a chat
    conversation is always answered in the chat). An anonymous web form's typed email is never used."""
    on_file = customer or {}
    preferred = on_file.get("preferredChannel")
    if notification_type in ("verification_code", "password_reset"):
        if case["channel"] == "web" and on_file.get("email") and preferred != "sms":
            return "email", on_file["email"]
        if on_file.get("phone"):
            return "sms", on_file["phone"]
        if on_file.get("email"):
            return "email", on_file["email"]
        return None
    if notification_type == "statement":
        return ("email", on_file["email"]) if on_file.get("email") else None
    contact = case.get("contact", {})
    if case["channel"] == "app_chat":
        return "chat", contact["sessionId"]
    preferred_address = on_file.get(_CONTACT_FIELD.get(preferred or "", ""))
    if preferred and preferred_address:
        return preferred, preferred_address
    if case["channel"] == "phone":  # the caller of an authenticated channel (Connect, or an IVR client)
        return "sms", contact["callerNumber"]
    # the anonymous web form's email and phone are claims: only contact details on file get messages
    if on_file.get("email"):
        return "email", on_file["email"]
    if on_file.get("phone"):
        return "sms", on_file["phone"]
    return None


def masked(channel: str, address: str) -> str:
    if channel == "sms":
        return mask_phone(address) or "***"
    if channel == "email":
        return mask_email(address) or "***"
    return address  # a chat session id is not personal data


class Notifier:
    def __init__(
        self,
        cases: CaseRepository | None = None,
        directory: CustomerDirectory | None = None,
        sns: Any | None = None,
        limits: Limits | None = None,
        email: EmailTransport | None = None,
        sms: SmsTransport | None = None,
    ) -> None:
        self.cases = cases or CaseRepository()
        self.directory = directory or CustomerDirectory()
        self._sns = sns  # the app chat's outbound topic
        self._email, self._sms = email, sms  # default: the configured transports
        self._limits = limits

    @property
    def limits(self) -> Limits:
        return self._limits or Limits()

    def send(
        self,
        case_id: str,
        notification_type: str,
        marker: str | None = None,
        case: dict[str, Any] | None = None,
        **fields: str,
    ) -> dict[str, Any]:
        """`marker`: the dedupe key of this notice when a type is sent more than once per case (an
        agent's messages: one per message). `case`: the case as the caller has just read it (else read here)."""
        from ..text.templates import render  # data-driven templates, loaded on first use

        case = case or self.cases.get(case_id)
        marker = marker or f"sent_{notification_type}"
        once = notification_type not in REPEATABLE
        if once and not self.cases.claim_once(case_id, marker, PENDING, reclaimable=PENDING):
            return {"type": notification_type, "status": "ALREADY_SENT"}
        customer = self.directory.by_id(case["customerId"]) if case.get("customerId") else None
        if customer is None and case["channel"] == "web":  # before Verify: the form's details on file, if any
            customer = (self.directory.match(case) or (None, None))[1]
        target = destination(case, customer, notification_type)
        if target is None:
            if once:
                self.cases.release(case_id, marker)
            self.cases.record(case_id, "notification", f"{notification_type}: no contact on file to send it to")
            return {"type": notification_type, "status": "NO_DESTINATION"}
        channel, address = target
        if channel in _CONTACT_FIELD and not self.limits.take("messagesPerDestination", subject_key(channel, address)):
            return self._skipped(case_id, notification_type, channel, address, marker)
        language = case.get("language") or (customer or {}).get("language") or "en"
        message = render(notification_type, language, channel, case_id=case_id, **fields)
        try:
            message_id = self._deliver(channel, address, message.subject, message.body, case_id)
        except Exception as exc:
            logger.warning(
                "notification delivery failed", extra={"caseId": case_id, "type": notification_type, "channel": channel}
            )
            raise NotificationDeliveryError(f"{notification_type} via {channel}: {type(exc).__name__}") from exc
        entry = {
            "type": notification_type,
            "channel": channel,
            "to": masked(channel, address),
            "status": "SENT",
            "at": iso(),
            "messageId": message_id,
        }
        try:
            self.cases.update(
                case_id,
                fields={marker: entry["at"]} if once else None,
                append={"notifications": [entry]},
                timeline=[timeline_entry("notification", f"{notification_type} sent by {channel} to {entry['to']}")],
                answer_item=False,
            )
        except TransientError:
            if once:
                raise  # the marker stays PENDING: the state's retry sends it again and records it
            # a code went out: a retry would send another and void the one the customer holds
            logger.warning("notification sent but not recorded", extra={"caseId": case_id, "type": notification_type})
        return {k: v for k, v in entry.items() if k != "messageId"}

    def record_failed(self, case_id: str, notification_type: str, reason: str) -> dict[str, Any]:
        """A notice that failed for good: on the case as FAILED, with where it was meant to go and why."""
        case = self.cases.get(case_id)
        customer = self.directory.by_id(case["customerId"]) if case.get("customerId") else None
        target = destination(case, customer, notification_type)
        channel, to = (target[0], masked(*target)) if target else ("none", None)
        entry = {
            "type": notification_type,
            "channel": channel,
            "to": to,
            "status": "FAILED",
            "reason": reason,
            "at": iso(),
        }
        self.cases.update(
            case_id,
            fields={"deliveryFailed": True},
            append={"notifications": [entry]},
            timeline=[timeline_entry("notification", f"{notification_type}: delivery failed after retries: {reason}")],
            answer_item=False,
        )
        return entry

    def _skipped(self, case_id: str, notification_type: str, channel: str, address: str, marker: str) -> dict[str, Any]:
        """Over the destination's hourly message limit: not sent, and said so on the case (the marker
        stays claimed: a retry must not send it either)."""
        entry = {"type": notification_type, "channel": channel, "to": masked(channel, address), "status": "SKIPPED"}
        self.cases.update(
            case_id,
            # settled, no longer PENDING: a retry must not send it either
            fields={marker: "SKIPPED"} if notification_type not in REPEATABLE else None,
            append={"notifications": [{**entry, "at": iso()}]},
            timeline=[
                timeline_entry(
                    "notification",
                    f"{notification_type} to {entry['to']} skipped: message limit for this destination reached",
                )
            ],
        )
        logger.warning("message limit reached", extra={"caseId": case_id, "type": notification_type})
        return entry

    def _deliver(self, channel: str, address: str, subject: str | None, body: str, case_id: str) -> str:
        if channel == "sms":
            return (self._sms or sms_transport()).send(address, body)
        if channel == "email":
            return (self._email or email_transport()).send(address, subject or "", body)
        answer = (self._sns or aws.sns()).publish(
            TopicArn=settings().chat_topic_arn,
            Message=json.dumps({"sessionId": address, "caseId": case_id, "text": body}, ensure_ascii=False),
            MessageAttributes={"sessionId": {"DataType": "String", "StringValue": address}},
        )
        return answer["MessageId"]


def notify_case(
    case_id: str, notification_type: str, notifier: Notifier | None = None, case: dict[str, Any] | None = None
) -> NotificationOutcome:
    """Fill a notification type's fields from the case (`case`: as the caller has just read it, else
    read here), then send it once."""
    from ..text.durations import within_duration
    from ..text.templates import team_name

    notifier = notifier or Notifier()
    case = case or notifier.cases.get(case_id)
    language = case.get("language") or "en"
    fields: dict[str, str] = {}
    if notification_type in ("resolved", "agent_resolution"):
        fields["summary"] = fields["resolution"] = case.get("resolution") or ""
        if not fields["summary"]:  # still with a person (an SLA step): say who has it
            notification_type = "escalated"
    if notification_type == "escalated":
        from ..domain.routing import queue_sla_seconds, route_for

        queue = case.get("queue") or "general"
        route = route_for(case["intent"]) if case.get("intent") else None
        # the intent's own SLA when its queue has it (a refund review is slower than a first answer)
        seconds = route.slaSeconds if route and route.queue == queue else queue_sla_seconds(queue)
        fields["team"] = team_name(queue, language)
        fields["sla"] = within_duration(seconds, language)
    return NotificationOutcome.model_validate(notifier.send(case_id, notification_type, case=case, **fields))


def record_delivery_failure(
    case_id: str,
    failure: dict[str, Any],
    notification_type: str | None = None,
    notifier: Notifier | None = None,
    sqs: Any | None = None,
) -> DeliveryFailureRecorded:
    """After retries: on the case (the notice FAILED, with the reason) for the agent, and on the
    dead-letter queue (alarmed) for ops."""
    from ..domain.masking import redact_text

    notifier = notifier or Notifier()
    error = str(failure.get("Error", "Unknown"))
    cause = redact_text(failure_message(failure))[:300]
    kind = notification_type or "notification"
    notifier.record_failed(case_id, kind, f"{error}: {cause}"[:300])
    queue_url = settings().failed_notifications_queue_url
    if queue_url:
        (sqs or aws.sqs()).send_message(
            QueueUrl=queue_url,
            MessageBody=json.dumps({"caseId": case_id, "type": kind, "error": error, "cause": cause, "at": iso()}),
        )
    return DeliveryFailureRecorded(recorded=True, type=kind, error=error)
