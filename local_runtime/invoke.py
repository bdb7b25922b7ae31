"""`make invoke FUNCTION=<LogicalId> EVENT=<file> [GIVEN=<sample contact>]`: one function of the
template, like `sam local invoke`, plus the two things `sam local invoke` leaves to you, so that
every sample in events/ answers as it would on AWS:

- an API sample first goes through its route's authorizer, as API Gateway runs it before the function;
- a sample that acts on an existing case (its ids look like SB261124-ABCDEF) gets one: the GIVEN
  sample contact (by default the one of GIVEN_CONTACT below) goes through the real intake and
  workflow, invoke waits for what the sample needs (the case, its task, the one-time code texted to
  the customer) and swaps the sample's ids, `<caseToken>` and code for the real ones;
- the hand-out sample (POST /tasks/next) names no case but needs an open task: the GIVEN contact
  opens one first."""

from __future__ import annotations

import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

from .api import ApiGateway, Response
from .client import LocalClient
from .lambda_hook import invoke
from .runtime import DEFAULT_SEED, ROOT, LocalRuntime

EVENTS = ROOT / "events"
# The sample contact that opens the case a sample refers to, by the sample's file name, else its
# folder: a customer asked for a one-time code for the code samples; for the agents' samples a web
# complaint (a complaints task: a typed email is a claim, so two of them never join one case as repeat
# contacts); else an app-chat refund request (a payments task).
WEB_COMPLAINT = EVENTS / "api" / "contact_web_complaint.json"
GIVEN_CONTACT = {
    "connect": EVENTS / "connect" / "contact_flow_account_locked.json",
    "post_verification.json": EVENTS / "api" / "contact_phone_zh_transactions.json",
    "extend_task.json": EVENTS / "api" / "contact_web_complaint.json",  # a complaint: a regulatory clock
    "get_case.json": WEB_COMPLAINT,
    "next_task.json": WEB_COMPLAINT,
    "takeover_task.json": WEB_COMPLAINT,
    "get_task_case.json": WEB_COMPLAINT,
    "reassign_task.json": WEB_COMPLAINT,
    "post_task_message.json": WEB_COMPLAINT,
    "post_case_message.json": WEB_COMPLAINT,
    "project_events.json": WEB_COMPLAINT,  # a TaskCompleted event: it names a task
    "": EVENTS / "api" / "contact_app_chat_duplicate.json",
}
CASE_TOKEN_PLACEHOLDER = "<caseToken>"  # noqa: S105 - the placeholder written in events/api samples
_TASK_ID = re.compile(r"\bSB\d{6}-[A-Z0-9]{6}-T[A-Z0-9]{8}\b")
_CASE_ID = re.compile(r"\bSB\d{6}-[A-Z0-9]{6}\b")
SETTLED = ("AWAITING_CUSTOMER", "ESCALATED", "RESOLVED", "CLOSED", "FAILED")
POLL_SECONDS = 0.25  # the waits below share moto's (serialized) DynamoDB with the running workflow
NATURAL_KEYS = ("contactId", "sessionId", "messageId", "submissionId")  # a contact's idempotency keys
HAND_OUT = "/tasks/next"  # hands the caller an open task of their queues: there must be one


def default_given(event_path: Path) -> Path:
    path = event_path.resolve()
    return GIVEN_CONTACT.get(path.name) or GIVEN_CONTACT.get(path.parent.name) or GIVEN_CONTACT[""]


class SampleInvoker:
    """Invokes the template's functions with sample events on a started LocalRuntime."""

    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime
        self.client = LocalClient(runtime)
        self.gateway: ApiGateway = self.client.gateway

    def invoke(self, logical_id: str, event: dict[str, Any], given: Path | None = None) -> tuple[Any, str | None]:
        """(answer, function error) of the function for the event, after giving it its case and authorizer."""
        event = self._with_real_case(event, given)
        if "httpMethod" in event and "requestContext" in event:
            authorized = self.gateway.authorize_event(event)
            if isinstance(authorized, Response):  # API Gateway answers without calling the function
                return {"statusCode": authorized.status, "headers": authorized.headers, "body": authorized.body}, None
            event["requestContext"]["authorizer"] = authorized
        return invoke(self.runtime.functions[logical_id], event)

    # ---- the case a sample refers to ------------------------------------------------------------

    def _with_real_case(self, event: dict[str, Any], given: Path | None) -> dict[str, Any]:
        if event.get("resource") == HAND_OUT and given is not None:
            case_id, _ = self._open_case(given)
            self._task_of(case_id)  # its task is open in the GIVEN contact's queue
            return event
        text = json.dumps(event, ensure_ascii=False)
        case_ids = set(_CASE_ID.findall(_TASK_ID.sub("", text))) | {
            t.rsplit("-T", 1)[0] for t in _TASK_ID.findall(text)
        }
        if not case_ids or all(self.case(case_id) for case_id in case_ids):
            return event
        if given is None:
            raise ValueError(f"the sample refers to case(s) {sorted(case_ids)} that do not exist; name a GIVEN contact")
        case_id, token = self._open_case(given)
        self.runtime.wait_for(
            lambda: (c := self.case(case_id)) and c["status"] in SETTLED and c,
            interval=POLL_SECONDS,
            what=f"case {case_id} (from {given.name}) to settle",
        )
        for task_id in set(_TASK_ID.findall(text)):
            text = text.replace(task_id, self._task_of(case_id))
            if event.get("resource") == "/tasks/{taskId}/messages":  # only the claiming agent messages
                self._claim(self._task_of(case_id), (event.get("headers") or {}).get("Authorization", ""))
        for sample_id in case_ids:
            text = text.replace(sample_id, case_id)
        answered = json.loads(text.replace(CASE_TOKEN_PLACEHOLDER, token or CASE_TOKEN_PLACEHOLDER))
        # the customer keys in (Connect) or types (API) the code texted to them
        parameters = (answered.get("Details") or {}).get("Parameters") or {}
        if "code" in parameters:
            parameters["code"] = self._texted_code(case_id)
        body = json.loads(answered["body"]) if isinstance(answered.get("body"), str) else None
        if isinstance(body, dict) and "code" in body:
            answered["body"] = json.dumps({**body, "code": self._texted_code(case_id)})
        return answered

    def case(self, case_id: str) -> dict[str, Any] | None:
        """The case item, or None when it does not exist (yet)."""
        from switchboard.adapters.repository.cases import CaseRepository

        return CaseRepository().find(case_id)

    def _open_case(self, given: Path) -> tuple[str, str | None]:
        """(case id, case token) of a new case opened by the given sample contact: its natural keys (and
        Idempotency-Key) get a fresh suffix, so each sample gets a case of its own (a retried contact would answer the old one)."""
        contact = json.loads(given.read_text(encoding="utf-8"))
        suffix = uuid.uuid4().hex[:8]
        if "httpMethod" in contact:
            body = {k: f"{v}-{suffix}" if k in NATURAL_KEYS else v for k, v in json.loads(contact["body"]).items()}
            headers = {  # its own Idempotency-Key too: the same key with another body is a 409
                k: f"{v}-{suffix}" if k.lower() == "idempotency-key" else v
                for k, v in contact["headers"].items()
                if k.lower() != "host"
            }
            answer = self.client.request(contact["httpMethod"], contact["path"], body, headers)
            if answer.status != 202:
                raise RuntimeError(f"{given.name} was not accepted: {answer.status} {answer.body}")
            return str(answer.json()["caseId"]), answer.json().get("caseToken")
        data = contact["Details"]["ContactData"]
        for key in ("ContactId", "InitialContactId"):
            data[key] = f"{data[key]}-{suffix}"
        answer, failed = invoke(self.runtime.functions[self.connect_function()], contact)
        if failed or not answer.get("caseId"):
            raise RuntimeError(f"{given.name} opened no case: {answer}")
        return str(answer["caseId"]), None

    def connect_function(self) -> str:
        """The function Amazon Connect may invoke (the template's lambda permission for connect)."""
        for resource in self.runtime.resources.values():
            props = resource.get("Properties", {})
            if resource["Type"] == "AWS::Lambda::Permission" and props.get("Principal") == "connect.amazonaws.com":
                return str(props["FunctionName"]["Ref"]).removesuffix(".Alias")  # SAM's Ref to its alias
        raise LookupError("template.yaml grants no function to connect.amazonaws.com")

    def _task_of(self, case_id: str) -> str:
        tasks = self.runtime.wait_for(
            lambda: (self.case(case_id) or {}).get("tasks") or None,
            interval=POLL_SECONDS,
            what=f"a task on case {case_id} (the GIVEN contact must need an agent)",
        )
        return str(tasks[-1])

    def _claim(self, task_id: str, authorization: str) -> None:
        answer = self.client.request("POST", f"/tasks/{task_id}/claim", headers={"Authorization": authorization})
        if answer.status != 200:
            raise RuntimeError(f"the sample's agent could not claim {task_id}: {answer.status} {answer.body}")

    def _texted_code(self, case_id: str) -> str:
        def code() -> str | None:
            for message in self.runtime.outbox():
                if message["caseId"] == case_id and message.get("type") == "verification_code":
                    found = re.search(r"(?<!\d)\d{6}(?!\d)", message["body"])
                    return found.group(0) if found else None
            return None

        return str(self.runtime.wait_for(code, interval=POLL_SECONDS, what=f"the one-time code texted for {case_id}"))


def invoke_function(logical_id: str, event_path: str, seed: str | None, given: str | None = None) -> int:
    path = Path(event_path)
    event = json.loads(path.read_text(encoding="utf-8"))
    with LocalRuntime(seed_path=Path(seed) if seed else DEFAULT_SEED) as runtime:
        if logical_id not in runtime.functions:
            print(
                f"no function {logical_id} in template.yaml; choose one of: {', '.join(sorted(runtime.functions))}",
                file=sys.stderr,
            )
            return 2
        payload, error = SampleInvoker(runtime).invoke(logical_id, event, Path(given) if given else default_given(path))
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return 1 if error else 0
