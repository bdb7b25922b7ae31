"""Who the customer is (identification) and proof of it (one-time codes).

Codes are 6 random digits, kept only as a salted hash with an expiry and an attempt counter on the
case; the workflow's task token sits beside them and never leaves the server. A guess first takes
one of the code's attempts in a conditional write, so however many arrive at once only the allowed
number are ever compared; the last wrong one ends the wait with VerificationFailed, which the ASL
routes to a human. A customer gets at most the policy's number of codes an hour (limits table)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import timedelta
from typing import Any

from ..adapters import aws
from ..adapters.limits import Limits
from ..adapters.repository.cases import CaseRepository, timeline_entry
from ..adapters.repository.directory import CustomerDirectory
from ..config import settings
from ..domain.clock import iso, now, parse_iso
from ..domain.errors import (
    CaseNotFound,
    CodeRejected,
    NoCodePending,
    TooManyAttempts,
    TransientError,
    VerificationFailed,
)
from ..domain.models import CodeSent, VerificationResult
from ..observability import logger
from ..text.durations import duration_text
from .notify import Notifier


def max_attempts() -> int:
    """Guesses one code allows (the routing policy's wrongCodesPerCode)."""
    from ..domain.routing import limit

    return int(limit("wrongCodesPerCode")["max"])


def _number_word(n: int) -> str:
    return {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}.get(n, str(n))


def _hash_code(case_id: str, salt: str, code: str) -> str:
    return hashlib.sha256(f"{case_id}:{salt}:{code}".encode()).hexdigest()


def identify(case: dict[str, Any], directory: CustomerDirectory) -> VerificationResult:
    """Match what the channel knows against the directory. A signed-in app user is AUTHENTICATED;
    a matching phone, email or account is IDENTIFIED; nothing matching is NONE."""
    found = directory.match(case)
    if found:
        kind, customer = found
        level = "AUTHENTICATED" if kind == "APPUSER" else "IDENTIFIED"
        return VerificationResult(
            level=level,
            customerId=customer["customerId"],
            matchedBy=kind.lower(),
            accountStatus=customer.get("accountStatus"),
            language=customer.get("language"),
        )
    return VerificationResult(level="NONE")


class Verification:
    def __init__(
        self,
        cases: CaseRepository | None = None,
        directory: CustomerDirectory | None = None,
        notifier: Notifier | None = None,
        sfn: Any | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.cases = cases or CaseRepository()
        self.directory = directory or CustomerDirectory()
        self.notifier = notifier or Notifier(self.cases, self.directory)
        self._sfn = sfn
        self._limits = limits

    @property
    def limits(self) -> Limits:
        return self._limits or Limits()

    @property
    def sfn(self) -> Any:
        return self._sfn or aws.stepfunctions()

    def verify(self, case: dict[str, Any]) -> tuple[VerificationResult, dict[str, Any]]:
        """Identify the contact of `case` (as just read) and record it: the result, and the case as
        recorded (what the next part of Triage reads instead of reading it again)."""
        result = identify(case, self.directory)
        detail = (
            f"customer {result.customerId} identified by {result.matchedBy}: {result.level}"
            if result.customerId
            else "no customer on file matches this contact: NONE"
        )
        fields: dict[str, Any] = {"status": "VERIFYING", "verification": {"level": result.level}}
        if result.customerId:
            fields["customerId"] = result.customerId
        if not case.get("language") and result.language:
            fields["language"] = result.language
        recorded = self.cases.update(case["caseId"], fields=fields, timeline=[timeline_entry("verify", detail)])
        return result, recorded

    def start_step_up(self, case_id: str, task_token: str) -> CodeSent:
        """Send a code to the contact on file and park the workflow's token until it comes back.

        A contact that matches nobody on file (or a customer with no phone or email) is parked the same
        way, for the same time, with a code nobody was sent and no six digits can match: the caller sees
        exactly what a customer sees, so the answer never tells whether a number or email is on file.
        The wait then times out, or three guesses fail, and the case goes to a human as it would."""
        case = self.cases.get(case_id)
        customer = self.directory.by_id(case["customerId"]) if case.get("customerId") else None
        reachable = bool(customer and (customer.get("phone") or customer.get("email")))
        if customer and reachable and not self.limits.take("codesPerCustomer", customer["customerId"]):
            # the notice is settled on the case as not sent (a try before this one may have asked for it)
            reason = "hourly code limit for this customer reached"
            self.cases.update(
                case_id,
                append={
                    "notifications": [
                        {
                            "type": "verification_code",
                            "channel": "none",
                            "to": None,
                            "status": "SKIPPED",
                            "reason": reason,
                            "at": iso(),
                        }
                    ]
                },
                timeline=[timeline_entry("verify", f"one-time code not sent: {reason}")],
            )
            logger.warning("code limit reached", extra={"caseId": case_id})
            raise VerificationFailed("too many one-time codes for this customer in the last hour")
        code = f"{secrets.randbelow(1_000_000):06d}" if reachable else secrets.token_hex(16)
        salt = secrets.token_hex(8)
        expires = now() + timedelta(seconds=settings().otp_timeout_seconds)
        detail = "one-time code requested: sensitive request needs AUTHENTICATED"
        self.cases.update(
            case_id,
            fields={
                "status": "AWAITING_CUSTOMER",
                "otp": {
                    "hash": _hash_code(case_id, salt, code),
                    "salt": salt,
                    "expiresAt": iso(expires),
                    "attempts": 0,
                },
                "pendingTaskToken": task_token,
            },
            timeline=[timeline_entry("verify", detail if reachable else f"{detail}; no contact on file: none sent")],
        )
        if not customer or not reachable:
            return CodeSent(codeSentBy=None, status="NOT_SENT")
        language = case.get("language") or customer.get("language") or "en"
        validity = duration_text(settings().otp_timeout_seconds, language)  # the same setting bounds the wait
        sent = self.notifier.send(case_id, "verification_code", code=code, validity=validity)
        if sent["status"] != "SENT":  # over the destination's message limit: no code is on its way
            raise VerificationFailed("one-time code not sent: message limit for the contact on file reached")
        return CodeSent(codeSentBy=sent.get("channel"), status=sent["status"])

    def check_code(self, case_id: str, code: str) -> dict[str, Any]:
        case = self.cases.get(case_id)
        otp = case.get("otp")
        token = case.get("pendingTaskToken")
        if not otp or not token:
            raise NoCodePending(case_id)
        if parse_iso(otp["expiresAt"]) < now():
            raise NoCodePending(case_id)
        expected = otp["hash"]
        attempt = self._take_attempt(case_id, expected)  # before comparing: a guess is counted or refused
        allowed = max_attempts()
        if hmac.compare_digest(_hash_code(case_id, otp["salt"], code), expected):
            if not self._consume(case_id, expected, "AUTHENTICATED"):
                raise NoCodePending(case_id)  # a concurrent request used it first: single use
            try:
                self.sfn.send_task_success(taskToken=token, output=json.dumps({"level": "AUTHENTICATED"}))
            except TransientError:  # the workflow did not hear it: the code stays good for the retry
                self.cases.update(
                    case_id,
                    fields={k: case[k] for k in ("otp", "pendingTaskToken", "verification", "status") if k in case},
                    timeline=[timeline_entry("verify", "code accepted but the workflow was unreachable: retry")],
                )
                raise
            return {"verification": {"level": "AUTHENTICATED"}}
        self.cases.record(case_id, "verify", f"wrong one-time code ({attempt}/{allowed})", "customer")
        logger.info("wrong one-time code", extra={"caseId": case_id, "attempts": attempt})
        left = allowed - attempt
        if left <= 0:
            if self._consume(case_id, expected, None):
                self.sfn.send_task_failure(
                    taskToken=token, error="VerificationFailed", cause=f"{_number_word(allowed)} wrong one-time codes"
                )
            raise CodeRejected(0)
        raise CodeRejected(left)

    def _take_attempt(self, case_id: str, expected_hash: str) -> int:
        """One conditional write: the attempt counter moves only while the code is pending and below
        the limit, so concurrent guesses past the limit are refused without being compared."""
        try:
            answer = self.cases.client.update_item(
                TableName=self.cases.table,
                Key={"caseId": {"S": case_id}},
                UpdateExpression="SET otp.attempts = otp.attempts + :one",
                ConditionExpression="otp.#h = :h AND otp.attempts < :max",
                ExpressionAttributeNames={"#h": "hash"},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":h": {"S": expected_hash},
                    ":max": {"N": str(max_attempts())},
                },
                ReturnValues="ALL_NEW",
            )
        except self.cases.client.exceptions.ConditionalCheckFailedException:
            otp = (self.cases.find(case_id) or {}).get("otp")
            if otp and otp.get("hash") == expected_hash:
                raise TooManyAttempts(case_id) from None
            raise NoCodePending(case_id) from None  # passed, failed or replaced meanwhile
        return int(answer["Attributes"]["otp"]["M"]["attempts"]["N"])

    def _consume(self, case_id: str, expected_hash: str, level: str | None) -> bool:
        """Remove the code and token in one conditional write, so a code works once."""
        fields: dict[str, Any] = {}
        detail = f"one-time code failed {max_attempts()} times"
        if level:
            fields = {"verification": {"level": level}, "status": "CLASSIFIED"}
            detail = "one-time code passed: AUTHENTICATED"
        try:
            self.cases.update(
                case_id,
                fields=fields,
                timeline=[timeline_entry("verify", detail, "customer")],
                remove=["otp", "pendingTaskToken"],
                condition="otp.#h = :h",
                condition_values={":h": expected_hash},
                condition_names={"#h": "hash"},
            )
            return True
        except CaseNotFound:
            raise
        except self.cases.client.exceptions.ConditionalCheckFailedException:
            return False  # another request consumed it
