"""Follow-up on the real ASL: notifications exactly once (even when a delivery is retried), a
delivery that never recovers (recorded, dead-lettered, the case still closes), the right channel
and language, case events on the bus without personal data, the satisfaction survey answered
once, the case number in the first SMS, and GET /local/outbox over HTTP."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections import Counter

import pytest

from tests.conftest import agent_headers
from tests.workflow import helpers
from tests.workflow.helpers import COMPLAINTS, SUPERVISOR, bearer, case_of, messages_for, on_file, open_task

pytestmark = pytest.mark.workflow

CJK = re.compile(r"[\u4e00-\u9fff]")
ZHANG_WEI = {"phone": "+8613800138000", "email": "zhang.wei@example.com", "name": "张伟"}


# ---- helpers ---------------------------------------------------------------------------------


def post_contact(client, body, headers=None):
    return helpers.post_contact(client, body, headers).json()


def closed(runtime, client, case_id, timeout=30):
    """Run the case to the end (survey included); answer (execution, agent case view)."""
    execution = runtime.wait_for_execution(case_id, timeout=timeout)
    return execution, case_of(client, case_id)


class FlakyDelivery:
    """Wraps Notifier._deliver: fails the deliveries that `fails(address, type, attempt)` picks.
    The notification type is carried from Notifier.send on a thread-local (the engine runs each
    execution on its own worker thread); attempts are counted per (address, type) under a lock."""

    def __init__(self, monkeypatch, fails):
        from switchboard.workflow import notify

        self.fails = fails
        self.attempts: Counter = Counter()
        self.lock = threading.Lock()
        current = threading.local()
        original_send = notify.Notifier.send
        original_deliver = notify.Notifier._deliver
        flaky = self

        def send(self, case_id, notification_type, **fields):
            current.type = notification_type
            try:
                return original_send(self, case_id, notification_type, **fields)
            finally:
                current.type = None

        def deliver(self, channel, address, subject, body, case_id):
            kind = getattr(current, "type", None)
            with flaky.lock:
                flaky.attempts[(address, kind)] += 1
                attempt = flaky.attempts[(address, kind)]
            if flaky.fails(address, kind, attempt):
                # what a provider error looks like: it names the destination
                raise RuntimeError(f"InvalidParameter: cannot deliver to {address} (attempt {attempt})")
            return original_deliver(self, channel, address, subject, body, case_id)

        monkeypatch.setattr(notify.Notifier, "send", send)
        monkeypatch.setattr(notify.Notifier, "_deliver", deliver)


def drain(sqs, queue_url):
    """Every message currently on the queue (deleted as read)."""
    found = []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not batch:
            return found
        for message in batch:
            found.append(message)
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


# ---- 1. exactly once, even with a retried delivery --------------------------------------------


def test_a_transient_delivery_failure_is_retried_and_the_customer_gets_one_message(runtime, client, monkeypatch):
    # given the email provider fails once, and only once, on this customer's "resolved" message
    email = "fu-once@example.org"
    on_file(email)  # an anonymous form's email gets messages only when on file
    flaky = FlakyDelivery(
        monkeypatch, lambda address, kind, attempt: address == email and kind == "resolved" and attempt == 1
    )
    # when a web customer asks a question the knowledge base answers
    case_id = post_contact(
        client,
        {
            "channel": "web",
            "submissionId": "fu-once-1",
            "name": "Olive Once",
            "email": email,
            "message": "What are the fees for withdrawing money to my bank card?",
            "language": "en",
        },
    )["caseId"]
    execution, case = closed(runtime, client, case_id)
    # then, after Resolve's own try failed, the Notify state delivered it on the second attempt ...
    assert execution["status"] == "SUCCEEDED"
    assert case["status"] == "CLOSED"
    assert flaky.attempts[(email, "resolved")] == 2
    # ... and the customer received exactly one "resolved" message, recorded once on the case
    sent = messages_for(runtime, case_id)
    per_type = Counter(m["type"] for m in sent)
    assert per_type["resolved"] == 1
    assert {"received", "resolved", "survey"} <= set(per_type)
    assert all(count == 1 for count in per_type.values()), per_type
    recorded = Counter(n["type"] for n in case["notifications"])
    assert recorded["resolved"] == 1
    assert all(count == 1 for count in recorded.values()), recorded
    # and a failure that recovered is not reported as a failed delivery
    assert not any("delivery failed" in t["detail"] for t in case["timeline"])


# ---- 2. a delivery that never recovers ---------------------------------------------------------


def test_an_sms_failure_that_never_recovers_is_recorded_dead_lettered_and_the_case_still_closes(
    runtime, client, monkeypatch
):
    # given SMS delivery of "resolved" to this caller always fails
    caller = "+8613700001111"
    flaky = FlakyDelivery(monkeypatch, lambda address, kind, attempt: address == caller and kind == "resolved")
    # when the caller asks a product question on the hotline
    case_id = post_contact(
        client,
        {"channel": "phone", "callerNumber": caller, "contactId": "fu-never-1", "message": "你们的转账手续费是多少?"},
    )["caseId"]
    execution, case = closed(runtime, client, case_id)
    # then Resolve tried it once, the Notify state 1 + 2 retries, then Catch recorded it and the case still closed
    assert flaky.attempts[(caller, "resolved")] == 4
    assert execution["status"] == "SUCCEEDED"
    assert case["status"] == "CLOSED"
    failures = [t for t in case["timeline"] if "delivery failed after retries" in t["detail"]]
    assert len(failures) == 1 and failures[0]["stage"] == "notification"
    assert "NotificationDeliveryError" in failures[0]["detail"]
    resolved = [n for n in case["notifications"] if n["type"] == "resolved"]  # recorded FAILED, never SENT
    assert [n["status"] for n in resolved] == ["FAILED"]
    assert "NotificationDeliveryError" in resolved[0]["reason"]
    assert not any(m["type"] == "resolved" for m in messages_for(runtime, case_id))
    stages = [t["stage"] for t in case["timeline"]]
    assert stages.index("close") > stages.index("notification", stages.index("resolve"))
    # and the stored case carries the deliveryFailed flag
    from switchboard.adapters.repository.cases import CaseRepository

    assert CaseRepository().get(case_id).get("deliveryFailed") is True
    # and ops got it on the dead-letter queue: the case id, no phone number
    sqs = runtime.client("sqs")
    queue_url = runtime.refs["FailedNotificationsQueue"]
    seen: list = []

    def dead_letter():
        seen.extend(drain(sqs, queue_url))
        return [m for m in seen if json.loads(m["Body"]).get("caseId") == case_id]

    letters = runtime.wait_for(dead_letter, timeout=10, what="the dead letter of the failed notification")
    assert len(letters) == 1
    body = letters[0]["Body"]
    assert "NotificationDeliveryError" in json.loads(body)["error"]
    assert caller not in body and caller[1:] not in body and "13700001111" not in body
    assert "@" not in body


# ---- 3. channel and language -------------------------------------------------------------------


def test_each_customer_is_answered_on_their_channel_in_their_language_and_the_view_masks_it(runtime, client):
    # given three customers on three channels, each asking a product question
    phone = post_contact(
        client,
        {
            "channel": "phone",
            "callerNumber": ZHANG_WEI["phone"],
            "contactId": "fu-lang-phone-1",
            "message": "你们的转账手续费是多少?",
        },
    )
    web_email = "fu-lang-web@example.org"
    on_file(web_email)  # an anonymous form's email gets messages only when on file
    web = post_contact(
        client,
        {
            "channel": "web",
            "submissionId": "fu-lang-web-1",
            "name": "Wendy Web",
            "email": web_email,
            "message": "Hello, what are your customer service hours? Thank you.",
        },
    )
    session = "fu-lang-chat-session-1"
    chat = post_contact(
        client,
        {
            "channel": "app_chat",
            "sessionId": session,
            "messageId": "fu-lang-chat-msg-1",
            "message": "你们的客服几点上班?",
        },
        {"X-App-User": "app-lina"},
    )
    for answer in (phone, web, chat):
        execution, case = closed(runtime, client, answer["caseId"])
        assert execution["status"] == "SUCCEEDED" and case["status"] == "CLOSED", case["timeline"]

    # then the Chinese caller got SMS to their number, in Chinese
    sms = messages_for(runtime, phone["caseId"])
    assert {"received", "resolved", "survey"} <= {m["type"] for m in sms}
    for m in sms:
        assert m["channel"] == "sms" and m["to"] == ZHANG_WEI["phone"], m
        assert CJK.search(m["body"]), m["body"]
    assert case_of(client, phone["caseId"])["language"] == "zh-CN"
    # the English web user got emails with a subject, in English
    mails = messages_for(runtime, web["caseId"])
    assert {"received", "resolved", "survey"} <= {m["type"] for m in mails}
    for m in mails:
        assert m["channel"] == "email" and m["to"] == web_email, m
        assert m["subject"] and m["subject"].strip()
        assert not CJK.search(m["subject"] + m["body"]), m
    assert case_of(client, web["caseId"])["language"] == "en"
    # the app user got chat replies addressed to the chat session
    replies = messages_for(runtime, chat["caseId"])
    assert {"received", "resolved", "survey"} <= {m["type"] for m in replies}
    for m in replies:
        assert m["channel"] == "chat" and m["to"] == session, m
        assert m["type"] == "received" or CJK.search(m["body"]), m["body"]

    # and the case views (agent's and customer's) never show a full number or address
    views = [
        (case_of(client, phone["caseId"]), ZHANG_WEI["phone"]),
        (
            client.request("GET", f"/cases/{phone['caseId']}", headers=bearer(phone["caseToken"])).json(),
            ZHANG_WEI["phone"],
        ),
        (case_of(client, web["caseId"]), web_email),
        (client.request("GET", f"/cases/{web['caseId']}", headers=bearer(web["caseToken"])).json(), web_email),
    ]
    for view, full in views:
        # (a customer's own view lists no messages before AUTHENTICATED: the agent's views carry them)
        assert view["notifications"] or view["verification"] == {"level": "NONE"}, view
        for note in view["notifications"]:
            assert note["to"] and full not in note["to"] and note["to"] != full
            assert "138000" not in note["to"] and "fu-lang-web@" not in note["to"]
        assert full not in json.dumps(view, ensure_ascii=False)
    phone_view = case_of(client, phone["caseId"])
    assert all(n["to"].endswith("8000") and n["to"].startswith("+86") for n in phone_view["notifications"])
    web_view = case_of(client, web["caseId"])
    assert all(n["to"].endswith("@example.org") for n in web_view["notifications"])


def test_the_received_notice_of_a_chinese_contact_without_a_language_field_is_in_chinese(runtime, client):
    # given a known Chinese caller (zh-CN on file) who writes in Chinese and sends no `language`
    case_id = post_contact(
        client,
        {
            "channel": "phone",
            "callerNumber": ZHANG_WEI["phone"],
            "contactId": "fu-lang-received-1",
            "message": "你们的转账手续费是多少?",
        },
    )["caseId"]
    # when the first notice goes out
    received = runtime.wait_for(
        lambda: [m for m in messages_for(runtime, case_id) if m["type"] == "received"],
        timeout=15,
        what="the received notice",
    )[0]
    runtime.wait_for_execution(case_id)
    # then it is in Chinese, like every later message of the case
    assert CJK.search(received["body"]), received["body"]


# ---- 4. case events on the bus -----------------------------------------------------------------


def test_case_events_reach_the_bus_with_the_case_id_and_no_personal_data(runtime, client):
    # given a rule on the case bus that forwards every switchboard event to a queue of ours
    events, sqs = runtime.client("events"), runtime.client("sqs")
    bus = runtime.refs["CaseEventBus"]
    queue_url = sqs.create_queue(QueueName="fu-case-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="fu-all-case-events", EventBusName=bus, EventPattern=json.dumps({"source": ["switchboard.cases"]})
    )
    events.put_targets(Rule="fu-all-case-events", EventBusName=bus, Targets=[{"Id": "fu-queue", "Arn": queue_arn}])

    # when one case is answered automatically and another goes to an agent, both to CLOSED
    auto_text = "请问你们的转账手续费是多少?"
    auto = post_contact(
        client,
        {"channel": "phone", "callerNumber": ZHANG_WEI["phone"], "contactId": "fu-events-auto-1", "message": auto_text},
    )["caseId"]
    human_email, human_name = "fu-events-complainer@example.org", "Edgar Complainer"
    on_file(human_email, human_name)
    human_text = "I want to file a formal complaint: your hotline agent hung up on me twice and never called back."
    human = post_contact(
        client,
        {
            "channel": "web",
            "submissionId": "fu-events-human-1",
            "name": human_name,
            "email": human_email,
            "phone": "+14155550177",
            "message": human_text,
        },
    )["caseId"]
    task = open_task(runtime, client, human, COMPLAINTS)
    done = client.request(
        "POST",
        f"/tasks/{task['taskId']}/complete",
        {"outcome": "RESOLVED", "resolution": "apologised and logged the complaint"},
        COMPLAINTS,
    )
    assert done.status == 200, done.body
    for case_id in (auto, human):
        execution, case = closed(runtime, client, case_id)
        assert execution["status"] == "SUCCEEDED" and case["status"] == "CLOSED"

    # then the queue holds each case's lifecycle events, each naming the case
    wanted = {
        auto: {"CaseReceived", "CaseClassified", "CaseResolved", "CaseClosed"},
        human: {"CaseReceived", "CaseClassified", "CaseEscalated", "CaseResolved", "CaseClosed"},
    }
    received: list[dict] = []

    def all_arrived():
        received.extend(json.loads(m["Body"]) for m in drain(sqs, queue_url))
        types = {cid: {e["detail-type"] for e in received if e["detail"].get("caseId") == cid} for cid in wanted}
        return all(wanted[cid] <= types[cid] for cid in wanted) and types

    try:
        types = runtime.wait_for(all_arrived, timeout=10, what="every case event on the queue")
    except TimeoutError:
        got = {cid: sorted({e["detail-type"] for e in received if e["detail"].get("caseId") == cid}) for cid in wanted}
        pytest.fail(f"missing case events; got {got}, wanted {wanted}")
    assert "CaseEscalated" not in types[auto]  # the automatic answer never went to a person
    ours = [e for e in received if e["detail"].get("caseId") in wanted]
    assert all(e["source"] == "switchboard.cases" for e in ours)
    # and no event carries a phone number, an email, a name or what the customer wrote
    personal = [
        ZHANG_WEI["phone"],
        ZHANG_WEI["phone"][1:],
        "13800138000",
        ZHANG_WEI["email"],
        ZHANG_WEI["name"],
        auto_text,
        "手续费",
        human_email,
        human_name,
        "+14155550177",
        human_text,
        "hung up",
    ]
    for event in ours:
        detail = json.dumps(event["detail"], ensure_ascii=False)
        assert "@" not in detail, detail
        for value in personal:
            assert value not in detail, (event["detail-type"], value)


# ---- 5. the survey, answered once ---------------------------------------------------------------


def test_the_survey_is_answered_once_by_the_case_customer_after_close(runtime, client):
    # given a closed case whose survey went out, and another customer's case still open
    on_file("fu-survey@example.org", "Sara Survey")
    on_file("fu-survey-open@example.org", "Otto Open")
    done = post_contact(
        client,
        {
            "channel": "web",
            "submissionId": "fu-survey-1",
            "name": "Sara Survey",
            "email": "fu-survey@example.org",
            "message": "What are the fees for a transfer to another bank?",
            "language": "en",
        },
    )
    still_open = post_contact(
        client,
        {
            "channel": "web",
            "submissionId": "fu-survey-open-1",
            "name": "Otto Open",
            "email": "fu-survey-open@example.org",
            "message": "I want to make a formal complaint about how rude your hotline was to me yesterday.",
        },
    )
    case_id, token = done["caseId"], done["caseToken"]
    execution, _ = closed(runtime, client, case_id)
    assert execution["status"] == "SUCCEEDED"
    runtime.wait_for(
        lambda: any(m["type"] == "survey" for m in messages_for(runtime, case_id)), timeout=10, what="the survey"
    )
    open_task(runtime, client, still_open["caseId"], COMPLAINTS)
    url = f"/cases/{case_id}/feedback"

    # when someone else answers it, they are told there is no such case
    for headers in (SUPERVISOR, agent_headers("local-agent-liu"), bearer(still_open["caseToken"])):
        foreign = client.request("POST", url, {"score": 5}, headers)
        assert foreign.status == 404, (headers, foreign.body)
    # a score outside 1..5, or not a number, is a 400 that names the field
    for bad in ({"score": 0}, {"score": 6}, {"score": "5"}, {"comment": "no score"}):
        rejected = client.request("POST", url, bad, bearer(token))
        assert rejected.status == 400, (bad, rejected.body)
        error = rejected.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert any(d["field"] == "score" for d in error["details"]), error
    # feedback on a case that is still open is a conflict
    early = client.request(
        "POST", f"/cases/{still_open['caseId']}/feedback", {"score": 4}, bearer(still_open["caseToken"])
    )
    assert early.status == 409, early.body

    # then the case's own customer rates it once (nothing above was recorded) ...
    first = client.request("POST", url, {"score": 5, "comment": "很好"}, bearer(token))
    assert first.status == 201, first.body
    assert first.json()["feedback"] == {"score": 5, "comment": "很好"}
    # ... and a second answer is a conflict that changes nothing
    second = client.request("POST", url, {"score": 1, "comment": "changed my mind"}, bearer(token))
    assert second.status == 409, second.body
    timeline = case_of(client, case_id)["timeline"]
    ratings = [t for t in timeline if t["stage"] == "feedback"]
    assert len(ratings) == 1 and "rated 5/5" in ratings[0]["detail"]
    assert not any("rated" in t["detail"] for t in case_of(client, still_open["caseId"])["timeline"])


# ---- 6. the case number in the first SMS --------------------------------------------------------


def test_the_first_sms_of_a_phone_case_carries_the_case_number(runtime, client):
    # given a caller the directory does not know
    caller = "+14155550188"
    case_id = post_contact(
        client,
        {
            "channel": "phone",
            "callerNumber": caller,
            "contactId": "fu-first-sms-1",
            "message": "Hi, what are your service hours?",
            "language": "en",
        },
    )["caseId"]
    # when the first message goes out
    sent = runtime.wait_for(lambda: messages_for(runtime, case_id), timeout=15, what="the first message of the case")
    first = sent[0]
    # then it is the "received" SMS to the caller, with the case number in it
    assert first["type"] == "received"
    assert first["channel"] == "sms" and first["to"] == caller
    assert case_id in first["body"]
    runtime.wait_for_execution(case_id)


# ---- 7. GET /local/outbox over HTTP ------------------------------------------------------------


def test_the_outbox_is_served_over_http(runtime, client):
    from local_runtime.server import make_server

    server = make_server(runtime, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        # given a contact sent over HTTP
        on_file("fu-http@example.org", "Hattie Http")
        request = urllib.request.Request(
            f"{base}/contacts",
            data=json.dumps(
                {
                    "channel": "web",
                    "submissionId": "fu-http-outbox-1",
                    "name": "Hattie Http",
                    "email": "fu-http@example.org",
                    "message": "What are the fees for withdrawing money?",
                    "language": "en",
                }
            ).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 202
            case_id = json.loads(answer.read())["caseId"]

        # when the outbox is read over HTTP
        def outbox_over_http():
            with urllib.request.urlopen(f"{base}/local/outbox", timeout=10) as answer:
                assert answer.status == 200
                assert answer.headers["Content-Type"].startswith("application/json")
                document = json.loads(answer.read().decode("utf-8"))
            mine = [m for m in document["messages"] if m["caseId"] == case_id]
            return mine and (document, mine)

        document, mine = runtime.wait_for(outbox_over_http, timeout=15, what="the case's message in the outbox")
        # then it is {"messages": [...]} with the documented fields, this case's email among them
        assert set(document) == {"messages"}
        for message in document["messages"]:
            assert {"channel", "to", "subject", "body", "caseId", "at"} <= set(message), message
            assert message["channel"] in ("sms", "email", "chat")
        assert mine[0]["channel"] == "email" and mine[0]["to"] == "fu-http@example.org"
        assert mine[0]["subject"] and case_id in mine[0]["body"]
        runtime.wait_for_execution(case_id)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
