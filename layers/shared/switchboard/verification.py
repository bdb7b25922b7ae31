"""Who the customer is (identification) and proof of it (one-time codes).

Codes are 6 random digits, kept only as a salted hash with an expiry and an attempt counter on the
case; the workflow's task token sits beside them and never leaves the server. Three wrong codes
end the wait with VerificationFailed, which the ASL routes to a human."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import timedelta
from typing import Any

from . import aws
from .clock import iso, now, parse_iso
from .config import settings
from .errors import CaseNotFound, CustomerNotFound
from .models import VerificationResult
from .notifications import Notifier
from .observability import logger
from .repository.cases import CaseRepository, timeline_entry
from .repository.directory import CustomerDirectory

MAX_ATTEMPTS = 3


class CodeRejected(Exception):
    def __init__(self, attempts_left: int) -> None:
        super().__init__(f"incorrect code; {attempts_left} attempt(s) left")
        self.attempts_left = attempts_left


class NoCodePending(Exception):
    """No verification is waiting on this case (never asked, already passed, failed or expired)."""


def _hash_code(case_id: str, salt: str, code: str) -> str:
    return hashlib.sha256(f"{case_id}:{salt}:{code}".encode()).hexdigest()


def identify(case: dict[str, Any], directory: CustomerDirectory) -> VerificationResult:
    """Match what the channel knows against the directory. A signed-in app user is AUTHENTICATED;
    a matching phone, email or account is IDENTIFIED; nothing matching is NONE."""
    contact = case.get("contact", {})
    attempts: list[tuple[str, str | None]]
    if case["channel"] == "phone":
        attempts = [("PHONE", contact.get("callerNumber"))]
    elif case["channel"] == "app_chat":
        attempts = [("APPUSER", contact.get("appUserId"))]
    else:
        attempts = [
            ("EMAIL", contact.get("email")),
            ("ACCOUNT", contact.get("accountId")),
            ("PHONE", contact.get("phone")),
        ]
    for kind, value in attempts:
        customer = directory.by_alias(kind, value)
        if customer:
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
    ) -> None:
        self.cases = cases or CaseRepository()
        self.directory = directory or CustomerDirectory()
        self.notifier = notifier or Notifier(self.cases, self.directory)
        self._sfn = sfn

    @property
    def sfn(self) -> Any:
        return self._sfn or aws.stepfunctions()

    def verify(self, case_id: str) -> VerificationResult:
        case = self.cases.get(case_id)
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
        self.cases.record(case_id, "verify", detail, **fields)
        return result

    def start_step_up(self, case_id: str, task_token: str) -> dict[str, Any]:
        """Send a code to the contact on file and park the workflow's token until it comes back."""
        case = self.cases.get(case_id)
        customer = self.directory.by_id(case["customerId"]) if case.get("customerId") else None
        if not customer or not (customer.get("phone") or customer.get("email")):
            raise CustomerNotFound("no contact on file to send a one-time code to")
        code = f"{secrets.randbelow(1_000_000):06d}"
        salt = secrets.token_hex(8)
        expires = now() + timedelta(seconds=settings().otp_timeout_seconds)
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
            timeline=[timeline_entry("verify", "one-time code requested: sensitive request needs AUTHENTICATED")],
        )
        minutes = str(max(1, settings().otp_timeout_seconds // 60))
        sent = self.notifier.send(case_id, "verification_code", code=code, minutes=minutes)
        return {"codeSentBy": sent.get("channel"), "status": sent["status"]}

    def check_code(self, case_id: str, code: str) -> dict[str, Any]:
        case = self.cases.get(case_id)
        otp = case.get("otp")
        token = case.get("pendingTaskToken")
        if not otp or not token:
            raise NoCodePending(case_id)
        if parse_iso(otp["expiresAt"]) < now():
            raise NoCodePending(case_id)
        expected = otp["hash"]
        if hmac.compare_digest(_hash_code(case_id, otp["salt"], code), expected):
            if not self._consume(case_id, expected, "AUTHENTICATED"):
                raise NoCodePending(case_id)  # a concurrent request used it first: single use
            self.sfn.send_task_success(taskToken=token, output=json.dumps({"level": "AUTHENTICATED"}))
            return {"verification": {"level": "AUTHENTICATED"}}
        attempts = self._count_wrong(case_id, expected)
        left = MAX_ATTEMPTS - attempts
        if left <= 0:
            if self._consume(case_id, expected, None):
                self.sfn.send_task_failure(
                    taskToken=token, error="VerificationFailed", cause=f"{MAX_ATTEMPTS} wrong one-time codes"
                )
            raise CodeRejected(0)
        raise CodeRejected(left)

    def _count_wrong(self, case_id: str, expected_hash: str) -> int:
        case = self.cases.client.update_item(
            TableName=self.cases.table,
            Key={"caseId": {"S": case_id}},
            UpdateExpression="SET otp.attempts = otp.attempts + :one",
            ConditionExpression="otp.#h = :h",
            ExpressionAttributeNames={"#h": "hash"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":h": {"S": expected_hash}},
            ReturnValues="ALL_NEW",
        )
        attempts = int(case["Attributes"]["otp"]["M"]["attempts"]["N"])
        self.cases.record(case_id, "verify", f"wrong one-time code ({attempts}/{MAX_ATTEMPTS})", "customer")
        logger.info("wrong one-time code", extra={"caseId": case_id, "attempts": attempts})
        return attempts

    def _consume(self, case_id: str, expected_hash: str, level: str | None) -> bool:
        """Remove the code and token in one conditional write, so a code works once."""
        fields: dict[str, Any] = {}
        detail = f"one-time code failed {MAX_ATTEMPTS} times"
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
        except Exception as exc:  # ConditionalCheckFailed: another request consumed it
            if type(exc).__name__ == "ConditionalCheckFailedException":
                return False
            raise
