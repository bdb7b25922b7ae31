import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from switchboard.domain.masking import mask_account, mask_email, mask_phone, redact_text

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
LONG_DIGITS = re.compile(r"\d{8,}")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("+8613812345678", "+86*******5678"),
        ("+14155552671", "+1******2671"),
        ("+85291234567", "+852****4567"),
        ("+86 138 1234 5678", "+86*******5678"),
        ("13812345678", "*******5678"),
        ("abc", "***"),
        ("+1", "***"),
        ("12345", "***"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("zhang.wei@example.com", "z***@example.com"),
        ("a@example.cn", "a***@example.cn"),
        ("@example.com", "***@example.com"),
        ("not-an-email", "***"),
        ("a@", "***"),
        ("abc", "***"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_email(value, masked):
    assert mask_email(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("ACC-6222021234567890", "****7890"),
        ("6222021234567890", "****7890"),
        ("ACC-1234", "***"),  # too short: the last 4 would be most of it
        ("abc", "***"),
        ("", ""),
        (None, None),
        (62220212345678, "****5678"),
    ],
)
def test_mask_account(value, masked):
    assert mask_account(value) == masked


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("请联系 zhang.wei@example.com 或 +86 138 1234 5678", "请联系 z***@example.com 或 +86*******5678"),
        ("我的手机13812345678，卡号6222 0212 3456 7890", "我的手机*******5678，卡号****7890"),
        ("account 6222021234567890 please", "account ****7890 please"),
        ("验证码是123456", "验证码是******"),
        ("验证码：１２３４５６", "验证码：******"),
        ("my code: 654321 ok", "my code: ****** ok"),
        ("your OTP is 112233.", "your OTP is ******."),
        ("13812345678@qq.com", "1***@qq.com"),
    ],
)
def test_redact_text_masks_personal_data(text, redacted):
    assert redact_text(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "case SB260115-123456 is open",
        "postcode 200030",
        "2026-03-15 10:00 amount 12.50",
        "order 1234567",
        "没有个人信息",
    ],
)
def test_redact_text_leaves_ordinary_text_alone(text):
    assert redact_text(text) == text


def test_redact_text_never_raises_on_odd_input():
    assert redact_text("") == ""
    assert redact_text(None) == ""
    assert redact_text("@@@ ++ 1 @a.b") == "@@@ ++ 1 @a.b"


_piece = st.one_of(
    st.text(max_size=12),
    st.emails(),
    st.from_regex(r"\d{8,20}", fullmatch=True),
    st.from_regex(r"\+861[3-9]\d{9}", fullmatch=True),
    st.from_regex(r"[a-z0-9.]{1,8}@[a-z0-9]{1,6}\.(com|cn)", fullmatch=True),
    st.sampled_from(["验证码", "code ", "OTP:", "卡号", "@", ".", "-", " "]),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_piece, max_size=8), st.sampled_from(["", " ", "\n", "@", ".", "，"]))
def test_redact_text_never_leaves_an_email_or_a_long_digit_run(pieces, separator):
    # given free text mixing emails, numbers and anything else / when redacted
    out = redact_text(separator.join(pieces))
    # then no email address and no run of 8 or more digits survives
    assert not EMAIL.search(out), out
    assert not LONG_DIGITS.search(out), out


# one-time codes of 4-8 digits, in any wording and language, before or after the code word
CODE_PHRASES = [
    ("the code you sent was 482913", "482913"),
    ("482913 is my code", "482913"),
    ("Your verification code is 4821, valid for 5 minutes", "4821"),
    ("The code, if you must know, is 73914658", "73914658"),
    ("here's the OTP you texted me - 55123", "55123"),
    ("PIN 1234 and then 5678", "1234"),
    ("PIN 1234 and then 5678", "5678"),
    ("验证码是123456", "123456"),
    ("你们发给我的验证码是 482913 对吗", "482913"),
    ("482913是我的验证码", "482913"),
    ("驗證碼:０７３９１４", "073914"),
    ("Mi código de verificación es 7391", "7391"),
    ("ваш код 55123", "55123"),
    ("認証コードは 839201 です", "839201"),
    ("인증번호 839201 입력", "839201"),
]


@pytest.mark.parametrize(("text", "code"), CODE_PHRASES)
def test_one_time_codes_are_redacted_in_any_wording(text, code):
    out = redact_text(text)
    assert code not in out and code not in redact_text(unicodedata.normalize("NFKC", text)), out
    assert "******" in out


def test_a_logged_code_never_reaches_the_log_line():
    import io

    # given the logger every handler uses, writing to a buffer of ours
    from switchboard.observability import logger

    buffer = io.StringIO()
    stream = logger.registered_handler.setStream(buffer)
    # when a message, an extra key and an exception carry a one-time code in free wording
    try:
        logger.warning("customer says the code you sent was 482913", extra={"said": "482913 是我的验证码"})
        try:
            raise ValueError("code 731946 rejected")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.registered_handler.setStream(stream)
    # then the written lines hold none of the codes
    written = buffer.getvalue()
    assert "the code you sent was" in written and "failed" in written
    for code in ("482913", "731946"):
        assert code not in written, written


def test_a_task_rows_customer_is_the_channel_identity_masked():
    from switchboard.domain.masking import mask_contact

    assert mask_contact({"callerNumber": "+8613812345678", "contactId": "c-1"}) == "+86*******5678"
    assert mask_contact({"email": "zhang.wei@example.com", "name": "张伟"}) == "z***@example.com"
    assert mask_contact({"appUserId": "app-lina", "sessionId": "s-1"}) == "a***"
    assert mask_contact({"submissionId": "w-1"}) is None
