"""What automatic resolution tells the customer, in both languages (the Resolve stage's sentences)."""

from __future__ import annotations

from typing import Any

SENTENCES: dict[str, dict[str, str]] = {
    "none": {"zh-CN": "所选时间段内没有交易记录。", "en": "No transactions in that period."},
    "txn_line": {
        "zh-CN": "{when} {merchant} {amount} {currency} {status}",
        "en": "{when} {merchant} {amount} {currency} {status}",
    },
    "txn_head": {"zh-CN": "{label}的交易({count}笔):", "en": "Your transactions, {label} ({count}):"},
    "statement": {"zh-CN": "完整对账单已发送到您登记的邮箱。", "en": "A full statement was sent to the email on file."},
    "unlocked": {
        "zh-CN": "您的账户已解锁。为了安全,请尽快修改密码并使用更复杂的密码。",
        "en": "Your account is unlocked. For your security, please change your password now and make it strong.",
    },
    "not_locked": {
        "zh-CN": "您的账户目前没有被锁定,可以正常登录。如仍无法登录,可申请重设密码。",
        "en": "Your account is not locked and you can sign in. If you still cannot, you can reset your password.",
    },
    "reset_sent": {
        "zh-CN": "密码重设链接已发送到您登记的联系方式。",
        "en": "A password reset link was sent to the contact details on file.",
    },
    "payment": {
        "zh-CN": "{when}向{merchant}支付的{amount} {currency}(交易号{txn})",
        "en": "your payment of {amount} {currency} to {merchant} on {when} ({txn})",
    },
    "pay_no_money": {
        "zh-CN": "{payment}未成功,款项没有被扣除。您可以重新发起支付或换一种支付方式。",
        "en": "{Payment} did not go through and no money was taken. You can retry it or use another payment method.",
    },
    "pay_pending": {
        "zh-CN": "{payment}正在处理中。如果{hours}小时内未完成,款项会自动退回原账户。",
        "en": "{Payment} is still processing. If it does not complete within {hours} hours, the money returns to your account automatically.",
    },
    "pay_reversed": {
        "zh-CN": "{payment}已撤销,款项已退回原账户。",
        "en": "{Payment} was reversed and the money is back in your account.",
    },
    "pay_ok": {
        "zh-CN": "{payment}已成功,商户已收款。",
        "en": "{Payment} succeeded and the merchant has received it.",
    },
}


def sentence(key: str, language: str, **fields: Any) -> str:
    return SENTENCES[key]["zh-CN" if language == "zh-CN" else "en"].format(**fields)
