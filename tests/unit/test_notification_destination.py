"""Which channel and address a notification goes to: pure rules, no AWS."""

import pytest
from switchboard.workflow.notify import destination

PHONE_CASE = {"channel": "phone", "contact": {"callerNumber": "+85299990000", "contactId": "c"}}
WEB_CASE = {"channel": "web", "contact": {"email": "typed@example.org", "phone": "+85299990001"}}
CHAT_CASE = {"channel": "app_chat", "contact": {"sessionId": "sess-1", "appUserId": "app-x"}}
ON_FILE = {"phone": "+85291234567", "email": "file@example.hk"}


@pytest.mark.parametrize(
    ("case", "customer", "kind", "expected"),
    [
        # notices answer the phone channel's caller; an anonymous web form's typed email and phone get nothing
        (PHONE_CASE, None, "received", ("sms", "+85299990000")),
        (WEB_CASE, None, "resolved", None),
        (WEB_CASE, None, "received", None),
        # ... a matched web customer hears on the contact on file, never on what the form typed
        (WEB_CASE, ON_FILE, "resolved", ("email", "file@example.hk")),
        (WEB_CASE, {"phone": "+85291234567"}, "received", ("sms", "+85291234567")),
        (CHAT_CASE, ON_FILE, "resolved", ("chat", "sess-1")),
        # ... unless a matched customer prefers another channel on file
        (PHONE_CASE, {**ON_FILE, "preferredChannel": "email"}, "resolved", ("email", "file@example.hk")),
        (WEB_CASE, {**ON_FILE, "preferredChannel": "sms"}, "escalated", ("sms", "+85291234567")),
        (CHAT_CASE, {**ON_FILE, "preferredChannel": "email"}, "resolved", ("chat", "sess-1")),
        (PHONE_CASE, {"phone": "+85291234567", "preferredChannel": "email"}, "resolved", ("sms", "+85299990000")),
        # codes and resets only ever go to the contact details on file
        (PHONE_CASE, ON_FILE, "verification_code", ("sms", "+85291234567")),
        (WEB_CASE, ON_FILE, "verification_code", ("email", "file@example.hk")),
        (WEB_CASE, {**ON_FILE, "preferredChannel": "sms"}, "password_reset", ("sms", "+85291234567")),
        (WEB_CASE, None, "verification_code", None),
        (WEB_CASE, ON_FILE, "statement", ("email", "file@example.hk")),
        (PHONE_CASE, {"phone": "+85291234567"}, "statement", None),
    ],
)
def test_destination(case, customer, kind, expected):
    assert destination(case, customer, kind) == expected
