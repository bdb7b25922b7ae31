"""Opening a case from any channel: validate, dedupe, persist, start the workflow.

Idempotency has three layers: Powertools idempotency on the request key (a retry answers the
stored response), a case id derived from that key (a second writer's conditional put fails), and
the execution name = case id (Step Functions refuses a second run). A request that fails part-way
leaves nothing behind: no case without its workflow, and an IN_PROGRESS record that expires with
the invocation (register_lambda_context), after which a retry answers the case it created.
Chat messages of one session claim the session's open case with a conditional write (ChatSessions)."""

from __future__ import annotations

import hashlib
import json
import time
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from ..adapters import aws
from ..adapters.events import publish
from ..adapters.repository.cases import CaseRepository, timeline_entry
from ..adapters.repository.sessions import ChatSessions
from ..config import settings
from ..domain.clock import iso
from ..domain.errors import (
    CaseNotFound,
    ConcurrentUpdate,
    DependencyUnavailable,
    DuplicateInProgress,
    IdempotencyConflict,
    TransientError,
)
from ..domain.identity import new_case_token
from ..observability import logger

if TYPE_CHECKING:  # the models are imported where they are used: built on a first contact, not at import
    from ..domain.models import AppChatContact, ContactAccepted, PhoneContact, WebContact

IDEMPOTENCY_TTL_SECONDS = 24 * 3600
IN_PROGRESS_WAIT_SECONDS = 5.0
MAX_ID_ATTEMPTS = 5


NATURAL_KEY_FIELD = {"phone": "contactId", "app_chat": "messageId", "web": "submissionId"}


@cache
def _contact_adapter() -> Any:
    """The Contact union's validator, built on first use and kept: building it costs milliseconds."""
    from pydantic import TypeAdapter

    from ..domain.models import Contact

    return TypeAdapter(Contact)


def _detected_language(text: str) -> str:
    # imported here: Connect and most channels name the language, and detection loads the script tables
    from ..nlp.language import detect_language

    return detect_language(text)


def natural_key(contact: PhoneContact | AppChatContact | WebContact) -> str:
    if contact.channel == "phone":
        return f"phone:{contact.contactId}"
    if contact.channel == "app_chat":
        return f"app_chat:{contact.sessionId}:{contact.messageId}"
    return f"web:{contact.submissionId}"


def case_id_for(key: str, when: float | None = None) -> str:
    """Readable on the phone (date + 6 characters), deterministic for one request key."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest().upper()
    day = time.strftime("%y%m%d", time.gmtime(when or time.time()))
    return f"SB{day}-{digest[:6]}"


def _contact_record(contact: PhoneContact | AppChatContact | WebContact, app_user: str | None) -> dict[str, Any]:
    record = contact.model_dump(exclude={"message", "language", "channel"}, exclude_none=True)
    if contact.channel == "app_chat" and app_user:
        record["appUserId"] = app_user
    return record


class Intake:
    def __init__(
        self,
        cases: CaseRepository | None = None,
        sfn: Any | None = None,
        ddb: Any | None = None,
        sessions: ChatSessions | None = None,
    ) -> None:
        self.cases = cases or CaseRepository()
        self._sfn = sfn
        self._ddb = ddb
        self.sessions = sessions or ChatSessions(ddb)

    def warm(self) -> None:
        """Before the SnapStart snapshot (the handlers' warm_before_snapshot): what a first contact would
        build or load lazily is built now, so a restored environment's first caller waits on none of it.
        No AWS client is made and nothing is called."""
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer  # noqa: F401

        from ..domain.models import AppChatContact, ContactAccepted, PhoneContact, WebContact
        from ..nlp.language import detect_language

        settings()
        for model in (PhoneContact, AppChatContact, WebContact, ContactAccepted):
            model.model_rebuild()  # their validators (deferred at import: domain.models' BaseModel)
        _contact_adapter()
        self._idempotency_config  # noqa: B018 - a cached property: built here, once
        detect_language("warm")  # a contact that names no language

    def register_lambda_context(self, context: Any) -> None:
        """Call once per invocation: an IN_PROGRESS record then expires with this invocation's
        remaining time (shorter than the function timeout), not with the 24-hour record TTL."""
        self._idempotency_config.register_lambda_context(context)

    # ---- public --------------------------------------------------------------------------------

    def accept(
        self, contact: PhoneContact | AppChatContact | WebContact, *, idempotency_key: str | None, app_user: str | None
    ) -> ContactAccepted:
        from ..domain.models import ContactAccepted

        key = f"{contact.channel}:key:{idempotency_key}" if idempotency_key else natural_key(contact)
        body = contact.model_dump(mode="json")
        # The idempotency record keeps only the token's hash: the token goes to the request that made it.
        token, token_hash = new_case_token()
        request = {
            "key": key,
            "fingerprint": hashlib.sha256(json.dumps([body, app_user], sort_keys=True).encode()).hexdigest(),
            "contact": body,
            "appUser": app_user,
            "caseTokenHash": token_hash,
        }
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyInconsistentStateError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        deadline = time.monotonic() + IN_PROGRESS_WAIT_SECONDS
        while True:
            try:
                opened = self._idempotent_open(request=request)
                mine = opened.pop("caseTokenHash", None) == token_hash
                return ContactAccepted(**opened, caseToken=token if mine else None)
            except IdempotencyValidationError as exc:
                field = "Idempotency-Key" if idempotency_key else NATURAL_KEY_FIELD[contact.channel]
                raise IdempotencyConflict(key, field) from exc
            except IdempotencyPersistenceLayerError as exc:  # the idempotency table failed: retry the request
                raise DependencyUnavailable("idempotency store") from exc
            except (IdempotencyAlreadyInProgressError, IdempotencyInconsistentStateError) as exc:
                # still being written, or an expired IN_PROGRESS record being taken over: try again
                if time.monotonic() > deadline:
                    raise DuplicateInProgress(key) from exc
                time.sleep(0.05)  # the first call is still writing: answer with its result

    # ---- internals -----------------------------------------------------------------------------

    @cached_property
    def _idempotency_config(self):
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

        return IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="fingerprint",
            expires_after_seconds=IDEMPOTENCY_TTL_SECONDS,
            raise_on_no_idempotency_key=True,
        )

    @cached_property
    def _idempotent_open(self):
        """Built once per Intake (the handler keeps one per cold start), not per request."""
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

        persistence = DynamoDBPersistenceLayer(
            table_name=settings().idempotency_table, boto3_client=self._ddb or aws.dynamodb()
        )
        return idempotent_function(
            data_keyword_argument="request", persistence_store=persistence, config=self._idempotency_config
        )(self._open)

    def _open(self, request: dict[str, Any]) -> dict[str, Any]:
        contact = _contact_adapter().validate_python(request["contact"])
        app_user = request.get("appUser")
        if contact.channel == "app_chat" and app_user:
            session_key = f"{app_user}#{contact.sessionId}"
            open_case = self.sessions.open_case(session_key)
            if open_case:
                return self._append_to_open_case(open_case, contact, request["key"], app_user, request["caseTokenHash"])
        return self._open_new_case(request["key"], contact, app_user, request["caseTokenHash"])

    def _open_new_case(self, key: str, contact: Any, app_user: str | None, token_hash: str | None) -> dict[str, Any]:
        created_at = iso()
        case = {
            "requestKey": hashlib.sha256(key.encode("utf-8")).hexdigest(),
            "channel": contact.channel,
            "status": "RECEIVED",
            # the first notice (case number) goes out before classification: answer in the customer's script
            "language": contact.language or _detected_language(contact.message),
            "contact": _contact_record(contact, app_user),
            "messages": [{"at": created_at, "from": "customer", "text": contact.message}],
            "verification": {"level": "NONE"},
            "caseTokenHash": token_hash,
            "createdAt": created_at,
            "updatedAt": created_at,
            "timeline": [timeline_entry("received", f"contact received by {contact.channel}", "customer")],
        }
        if contact.channel == "app_chat" and app_user:
            case["openSessionKey"] = f"{app_user}#{contact.sessionId}"
        case_id, created = self._claim_case_id(key, case)
        session_key = case.get("openSessionKey")
        if session_key:
            owner = self.sessions.claim(session_key, case_id)
            if owner != case_id:  # a concurrent message of this conversation opened the case first
                if created:
                    self._discard(case_id)
                return self._append_to_open_case(owner, contact, key, app_user, token_hash)
        if not created:
            # this request ran before and its answer was never stored (it failed after the case was
            # written): answer the same case, with this request's token since the first one reached no one
            self.cases.update(case_id, fields={"caseTokenHash": token_hash}, answer_item=False)
        try:
            self._start_workflow(case_id)
        except Exception as exc:
            if created:  # nothing half-written: no case without its workflow, no session held by it
                self._discard(case_id, session_key)
            raise TransientError("could not start the case workflow") from exc
        if created:
            publish("CaseReceived", case, at=case.get("createdAt"))
        logger.info("case opened", extra={"caseId": case_id, "channel": contact.channel})
        return {"caseId": case_id, "status": "RECEIVED", "caseTokenHash": token_hash, "appended": False}

    def _claim_case_id(self, key: str, case: dict[str, Any]) -> tuple[str, bool]:
        """Write the case under the id derived from its key. Short ids can collide: an id already
        taken by another request's case moves on to the next candidate, so two contacts never share one."""
        for attempt in range(MAX_ID_ATTEMPTS):
            case_id = case_id_for(key if attempt == 0 else f"{key}#{attempt}")
            if self.cases.create({**case, "caseId": case_id}):
                case["caseId"] = case_id
                return case_id, True
            existing = self.cases.find(case_id)
            if existing and existing.get("requestKey") == case["requestKey"]:
                case["caseId"] = case_id
                return case_id, False  # the same request again: its case
        raise TransientError("no free case id")

    def _start_workflow(self, case_id: str) -> None:
        sfn = self._sfn or aws.stepfunctions()
        policy = {
            "otpTimeoutSeconds": settings().otp_timeout_seconds,
            "surveyDelaySeconds": settings().survey_delay_seconds,
            "customerReplyTimeoutSeconds": settings().customer_reply_timeout_seconds,
            "onCustomerSilence": settings().customer_silence_policy,
        }
        try:
            sfn.start_execution(
                stateMachineArn=settings().state_machine_arn,
                name=case_id,
                input=json.dumps({"caseId": case_id, "policy": policy}),
            )
        except sfn.exceptions.ExecutionAlreadyExists:
            pass  # the same case's workflow is already running: that is the point of the name

    def _discard(self, case_id: str, session_key: str | None = None) -> None:
        self.cases.client.delete_item(TableName=self.cases.table, Key={"caseId": {"S": case_id}})
        if session_key:
            self.sessions.release(session_key, case_id)

    def _append_to_open_case(
        self, case_id: str, contact: AppChatContact, key: str, app_user: str | None, token_hash: str | None
    ) -> dict[str, Any]:
        """One conversation, one case: a follow-up chat message joins the open case, and answers the
        agent's question when the case waits on the customer (the workflow resumes)."""
        from ..domain.errors import CaseAlreadyClosed
        from ..workflow.conversation import Conversation  # not on a new contact's cold path

        try:
            answered = Conversation(cases=self.cases).answer(
                case_id, contact.message, key=f"chat:{contact.sessionId}:{contact.messageId}", via="chat"
            )
        except CaseNotFound as exc:  # its first message is still undoing a failed start: retry shortly
            raise ConcurrentUpdate(f"the session's case {case_id} is not there yet") from exc
        except CaseAlreadyClosed:
            # closed, but its claim was not released: release it, this message opens the next case
            self.sessions.release(f"{app_user}#{contact.sessionId}", case_id)
            return self._open_new_case(key, contact, app_user, token_hash)
        return {"caseId": case_id, "status": answered.status, "appended": True}
