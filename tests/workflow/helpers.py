"""What the workflow tests share: agents' headers, reading a case, and waiting for the workflow."""

from __future__ import annotations

import json
import re

from tests.conftest import EVENTS, agent_headers, channel_headers

SUPERVISOR = agent_headers("local-supervisor-zhao")
PAYMENTS = agent_headers("local-agent-liu")
ACCOUNTS = agent_headers("local-agent-wang")
COMPLAINTS = agent_headers("local-agent-smith")


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def post_contact(client, body, headers=None):
    """POST /contacts that must be accepted (a phone contact with the IVR's credential); answers the response."""
    answer = client.request("POST", "/contacts", body, channel_headers(body, headers))
    assert answer.status == 202, answer.body
    return answer


def web_contact(client, submission_id, message):
    """An anonymous web form (its email is not on file); answers the 202 body."""
    body = {
        "channel": "web",
        "submissionId": submission_id,
        "name": "Tess Two",
        "email": f"{submission_id}@example.org",
        "message": message,
    }
    return post_contact(client, body).json()


def on_file(email, name="Web Customer", language="en"):
    """Put a customer with this email on file: an anonymous web form's email gets messages only then."""
    import hashlib

    from switchboard.adapters.repository.directory import CustomerDirectory

    customer_id = "W" + hashlib.sha256(email.encode()).hexdigest()[:8].upper()
    CustomerDirectory().put_customer(
        {"customerId": customer_id, "name": name, "email": email, "language": language, "accountStatus": "ACTIVE"}
    )
    return customer_id


def case_of(client, case_id):
    return client.request("GET", f"/cases/{case_id}", headers=SUPERVISOR).json()


def details(case):
    return " | ".join(t["detail"] for t in case["timeline"])


def messages_for(runtime, case_id, kind=None):
    return [m for m in runtime.outbox() if m["caseId"] == case_id and (kind is None or m["type"] == kind)]


def wait_status(runtime, client, case_id, *statuses, timeout=30):
    return runtime.wait_for(
        lambda: (c := case_of(client, case_id))["status"] in statuses and c,
        timeout=timeout,
        what=f"{case_id} in {statuses}",
    )


def open_task(runtime, client, case_id, headers, timeout=30):
    def find():
        tasks = client.request("GET", "/tasks", headers=headers).json()["tasks"]
        return next((t for t in tasks if t["caseId"] == case_id), None)

    return runtime.wait_for(find, timeout=timeout, what=f"an open task for {case_id}")


def code_for(runtime, case_id):
    def find():
        for message in messages_for(runtime, case_id, "verification_code"):
            return re.search(r"(?<!\d)\d{6}(?!\d)", message["body"]).group(0)
        return None

    return runtime.wait_for(find, timeout=20, what="the one-time code SMS")


def enter_code(runtime, client, opened):
    """Wait for the step-up, enter the code sent to the contact on file with the case token; answers the code."""
    case_id = opened["caseId"]
    wait_status(runtime, client, case_id, "AWAITING_CUSTOMER")
    code = code_for(runtime, case_id)
    entered = client.request("POST", f"/cases/{case_id}/verification", {"code": code}, bearer(opened["caseToken"]))
    assert entered.status == 200, entered.body
    return code


# ---- breaking a step on purpose (every Catch exercised) ----------------------------------------


def event_body(name):
    return json.loads(json.loads((EVENTS / "api" / f"{name}.json").read_text(encoding="utf-8"))["body"])


def marked(name, key):
    """A sample contact with its own natural key, so only this test's case is broken."""
    body = event_body(name)
    field = "contactId" if body["channel"] == "phone" else "submissionId"
    return {**body, field: key}


def break_handler(monkeypatch, runtime, function, key, error=RuntimeError, when=lambda event: True):
    """Make one function of the template raise for this test's case (found by its natural key)."""
    from switchboard.adapters.repository.cases import CaseRepository

    local = runtime.functions[function]
    original = local.handler

    def handler(event, context):
        case = CaseRepository().find(event.get("caseId", ""))
        contact = (case or {}).get("contact", {})
        if key in (contact.get("submissionId"), contact.get("contactId")) and when(event):
            raise error(f"{function} broke on purpose")
        return original(event, context)

    monkeypatch.setattr(local, "handler", handler)


def failure_recorded(runtime, client, case_id, state, error="RuntimeError"):
    return runtime.wait_for(
        lambda: any(
            t["stage"] == "failure" and f"step {state} failed: {error}" in t["detail"]
            for t in case_of(client, case_id)["timeline"]
        ),
        timeout=40,
        what=f"the {state} failure on {case_id}'s timeline",
    )


def stuck_message(runtime, case_id):
    sqs = runtime.client("sqs")
    url = runtime.refs["StuckCasesQueue"]
    seen = []

    def find():
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            seen.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return next((m for m in seen if m["caseId"] == case_id), None)

    return runtime.wait_for(find, timeout=40, what=f"{case_id} on the stuck-cases queue")
