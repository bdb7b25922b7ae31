import json

import pytest
from switchboard.text import templates
from switchboard.text.templates import (
    CHANNELS,
    LANGUAGES,
    NOTIFICATION_TYPES,
    TemplateError,
    placeholders,
    render,
    team_name,
)

FIELDS = {
    "case_id": "SB260318-A1B2C3",
    "code": "482913",
    "minutes": "5",
    "validity": "5 minutes",
    "summary": "refunded the duplicate payment",
    "team": "payments team",
    "sla": "within 4 hours",
    "resolution": "the charge was a pre-authorisation and has been released",
    "reset_link": "https://pay.example/reset/abc",
    "period": "last month",
    "lines": "2026-02-03 Coffee 12.00 CNY SUCCESS",
    "text": "Which card did you pay with?",
    "reply_link": "https://pay.example/help/cases/SB260318-A1B2C3/reply",
    "days": "10",
    "due_date": "2026-04-12",
    "choices": "1. a payment that failed\n2. a payment made twice",
}

# what each message must tell the customer, in every language and channel
ESSENTIAL = {
    "received": {"case_id"},
    "verification_code": {"code", "validity"},
    "resolved": {"summary"},
    "escalated": {"team", "sla"},
    "agent_resolution": {"resolution"},
    "survey": {"case_id"},
    "failure_fallback": {"case_id"},
    "password_reset": {"reset_link", "minutes"},
    "statement": {"period", "lines"},
    "agent_message": {"case_id", "text"},
    "no_reply_closed": {"case_id"},
    "regulatory_extension": {"case_id", "days", "due_date"},
    "clarify_question": {"choices"},
}

ALL = [(t, lang, ch) for t in NOTIFICATION_TYPES for lang in LANGUAGES for ch in CHANNELS]


@pytest.mark.parametrize(("kind", "language", "channel"), ALL)
def test_every_template_renders_with_its_fields(kind, language, channel):
    # given all fields / when rendered
    message = render(kind, language, channel, **FIELDS)
    # then nothing is left unfilled and the essentials are in the message
    assert "{" not in message.body and "}" not in message.body
    assert message.body.strip()
    for field in ESSENTIAL[kind]:
        assert FIELDS[field] in message.body, field
    if channel == "email":
        assert message.subject and "{" not in message.subject
    else:
        assert message.subject is None


@pytest.mark.parametrize(("kind", "language", "channel"), ALL)
def test_a_missing_field_raises_naming_it(kind, language, channel):
    needed = placeholders(kind, language, channel)
    assert ESSENTIAL[kind] <= needed
    for field in needed:
        # given every field but one / when rendered / then the error names the missing one
        partial = {k: v for k, v in FIELDS.items() if k != field}
        with pytest.raises(TemplateError, match=r"\{" + field + r"\}") as raised:
            render(kind, language, channel, **partial)
        assert raised.value.field == field


@pytest.mark.parametrize(("kind", "language"), [(t, lang) for t in NOTIFICATION_TYPES for lang in LANGUAGES])
def test_sms_templates_are_short(kind, language):
    data = json.loads(templates.DATA_FILE.read_text(encoding="utf-8"))
    body = data["templates"][kind][language]["sms"]["body"]
    # one 160-char GSM segment for English, at most two 70-char UCS-2 segments for Chinese, before fields
    assert len(body) <= (140 if language == "en" else 70)


def test_chinese_templates_are_chinese():
    message = render("escalated", "zh-CN", "sms", case_id="SB1", team=team_name("payments", "zh-CN"), sla="4小时内")
    assert message.body == "您的工单SB1已转交支付业务团队处理，预计4小时内回复您。"


def test_team_names_for_every_queue_in_both_languages():
    for queue in templates.QUEUES:
        assert team_name(queue, "en") and team_name(queue, "zh-CN")
    assert team_name("payments", "en") == "payments team"
    assert team_name("payments", "zh-CN") == "支付业务团队"


def test_queue_fills_the_team():
    message = render("escalated", "en", "chat", case_id="SB1", queue="disputes", sla="within 1 day")
    assert "disputes team" in message.body


@pytest.mark.parametrize(
    ("kind", "language", "channel"),
    [
        ("nope", "en", "sms"),
        ("received", "fr", "sms"),
        ("received", "zh", "sms"),
        ("received", "en", "fax"),
        ("received", "EN", "chat"),
    ],
)
def test_unknown_type_language_or_channel_raise(kind, language, channel):
    with pytest.raises(TemplateError):
        render(kind, language, channel, **FIELDS)


def test_unknown_queue_raises():
    with pytest.raises(TemplateError):
        team_name("marketing", "en")


def test_none_counts_as_missing():
    with pytest.raises(TemplateError) as raised:
        render("resolved", "en", "sms", case_id="SB1", summary=None)
    assert raised.value.field == "summary"


def test_braces_in_a_value_are_not_placeholders():
    # given customer text that looks like a placeholder / when substituted / then it is kept as text
    message = render("agent_resolution", "en", "chat", case_id="SB1", resolution="we saw '{code}' in your note")
    assert "we saw '{code}' in your note" in message.body


def test_verification_code_is_the_first_six_digit_number():
    # the local runtime and the phone prompt pick the code out of the message this way
    import re

    for language in LANGUAGES:
        for channel in CHANNELS:
            body = render("verification_code", language, channel, **FIELDS).body
            assert re.search(r"(?<!\d)\d{6}(?!\d)", body).group(0) == FIELDS["code"]
