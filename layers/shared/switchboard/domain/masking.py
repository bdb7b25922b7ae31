"""No full phone number, email address, account/card number or one-time code in logs or API answers.
Logs pass through redact_text in observability's formatter.

Every function accepts odd input (None, short, malformed, non-str) without raising: masking runs on the
error paths too, where failing would lose the original error.
"""

from __future__ import annotations

import re
from typing import Any, overload

HIDDEN = "***"

# ITU-T E.164 country codes: 1 and 7 have one digit, these have two, every other has three.
_TWO_DIGIT_CC = frozenset(
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 "
    "60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split()
)

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")  # as models.Email
_E164 = re.compile(r"\+\d(?:[ \-]?\d){6,16}(?!\d)")
_CN_MOBILE = re.compile(r"(?<!\d)1[3-9]\d(?:[ \-]?\d{4}){2}(?!\d)")
# One-time codes in any wording: a code word (several languages) and a 4-8 digit run in the same
# line within a few words, either order ("the code you sent was 482913", "482913 是我的验证码").
_CODE_WORD = (
    r"(?:验证码|驗證碼|校验码|动态码|动态密码|一次性密码|短信码|确认码|验证|認証番号|認証コード|コード|인증번호|"
    r"код|código|codigo|\b(?:otp|passcode|pin|tan|codes?|verification|one[- ]time)\b)"
)
_CODE_DIGITS = r"(?<![A-Za-z\d.\-])(\d{4,8})(?![A-Za-z\d]|[.\-:/]\d)"
_CODE_AFTER = re.compile(rf"({_CODE_WORD}[^\n]{{0,40}}?){_CODE_DIGITS}", re.IGNORECASE)
_CODE_BEFORE = re.compile(rf"{_CODE_DIGITS}(?=[^\n\d]{{0,24}}?{_CODE_WORD})", re.IGNORECASE)
_GROUPED_DIGITS = re.compile(r"(?<!\d)\d{4}(?:[ \-]\d{4}){2,}(?:[ \-]\d{1,4})?(?!\d)")  # 6222 0212 3456 7890
_LONG_DIGITS = re.compile(r"\d{8,}")


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdecimal())


@overload
def mask_phone(e164: str) -> str: ...
@overload
def mask_phone(e164: None) -> None: ...
def mask_phone(e164: str | None) -> str | None:
    """ "+8613812345678" -> "+86*******5678": the country code and the last 4 digits stay."""
    if e164 is None:
        return None
    value = _text(e164).strip()
    if not value:
        return ""
    digits = _digits(value)
    if len(digits) < 7:
        return HIDDEN
    prefix = ""
    if value.startswith("+"):
        cc_length = 1 if digits[0] in "17" else 2 if digits[:2] in _TWO_DIGIT_CC else 3
        prefix, digits = "+" + digits[:cc_length], digits[cc_length:]
        if len(digits) < 6:
            return prefix + HIDDEN
    return prefix + "*" * (len(digits) - 4) + digits[-4:]


def mask_email(email: str | None) -> str | None:
    """ "zhang.wei@example.com" -> "z***@example.com": the first character and the domain stay."""
    if email is None:
        return None
    value = _text(email).strip()
    if not value:
        return ""
    local, at, domain = value.rpartition("@")
    if not at or not domain or any(ch.isspace() for ch in value):
        return HIDDEN
    return f"{local[:1]}{HIDDEN}@{domain}"


def mask_account(account_id: str | None) -> str | None:
    """ "ACC-6222021234567890" -> "****7890": only the last 4 letters or digits stay."""
    if account_id is None:
        return None
    value = _text(account_id).strip()
    if not value:
        return ""
    characters = [ch for ch in value if ch.isalnum()]
    if len(characters) < 8:  # last 4 of a short id would give away most of it
        return HIDDEN
    return "****" + "".join(characters[-4:])


def mask_contact(contact: dict[str, Any]) -> str | None:
    """Who the customer is, as a task row shows it: the caller's number, the form's email or the app
    user, masked as everywhere ("+86*******5678", "z***@example.com", "a***" for app user "app-lina")."""
    if contact.get("callerNumber"):
        return mask_phone(contact["callerNumber"])
    if contact.get("email"):
        return mask_email(contact["email"])
    if contact.get("appUserId"):
        return f"{_text(contact['appUserId'])[:1]}{HIDDEN}"
    return None


def _mask_phone_match(match: re.Match[str]) -> str:
    found = match.group(0)
    return mask_phone(found) if 7 <= len(_digits(found)) <= 15 else found


def redact_text(text: str) -> str:
    """Free text with emails, phone numbers, one-time codes and long digit runs masked."""
    if text is None:
        return ""
    text = _text(text)
    # Masking keeps a domain, which can itself start a new match ("a@b.cn@c.cn"): repeat until stable.
    for _ in range(text.count("@") + 1):
        masked = _EMAIL.sub(lambda m: mask_email(m.group(0)) or HIDDEN, text)
        if masked == text:
            break
        text = masked
    text = _E164.sub(_mask_phone_match, text)
    text = _CN_MOBILE.sub(lambda m: mask_phone(m.group(0)) or HIDDEN, text)
    for _ in range(8):  # one code per pass of each pattern: repeat until none is left
        masked = _CODE_BEFORE.sub("******", _CODE_AFTER.sub(lambda m: m.group(1) + "******", text))
        if masked == text:
            break
        text = masked
    text = _GROUPED_DIGITS.sub(lambda m: mask_account(m.group(0)) or HIDDEN, text)
    return _LONG_DIGITS.sub(lambda m: mask_account(m.group(0)) or HIDDEN, text)
