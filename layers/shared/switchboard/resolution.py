"""Automatic resolution of the hotline's routine questions, against the directory and the ledger.
Anything it cannot settle becomes an escalation with the evidence an agent needs."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .classification import case_text
from .clock import iso, now, parse_iso
from .config import settings
from .models import ResolutionResult, Route
from .periods import SHANGHAI
from .routing import queue_sla_seconds, route_for
from .services import CaseServices
from .templates import status_text

_TXN_ID = re.compile(r"\b(T[A-Z0-9]{5,})\b", re.IGNORECASE)
DUPLICATE_WINDOW = timedelta(minutes=30)

_L = {
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
_AMOUNT = re.compile(r"(?<![\w.])(\d+(?:\.\d{1,2})?)(?![\w.])")
DEFAULT_TIME_ZONE = "Asia/Shanghai"


def _t(key: str, language: str, **fields: Any) -> str:
    return _L[key]["zh-CN" if language == "zh-CN" else "en"].format(**fields)


def _escalate(
    route: Route,
    summary: str,
    reason: str,
    queue: str | None = None,
    evidence: list | None = None,
    priority: str | None = None,
) -> ResolutionResult:
    target = queue or route.queue
    return ResolutionResult(
        outcome="ESCALATE",
        summary=summary,
        queue=target,
        priority=priority or route.priority,
        reason=reason,
        evidence=evidence or [],
        slaSeconds=route.slaSeconds if target == route.queue else queue_sla_seconds(target),
        supervisorSlaSeconds=route.supervisorSlaSeconds,
        notification="escalated",
    )


def _evidence(txn: dict[str, Any]) -> dict[str, Any]:
    return {k: txn.get(k) for k in ("transactionId", "merchant", "amount", "currency", "status", "createdAt")}


def local_time(value: str, zone: tzinfo) -> str:
    """An ISO-8601 UTC time as the customer reads it: their zone, to the minute."""
    return parse_iso(value).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _payment_fields(txn: dict[str, Any], zone: tzinfo) -> dict[str, str]:
    return {
        "txn": txn["transactionId"],
        "merchant": txn["merchant"],
        "amount": f"{txn['amount']:.2f}",
        "currency": txn["currency"],
        "when": local_time(txn["createdAt"], zone),
    }


def _merchant_named(merchant: str, text: str) -> bool:
    name, said = merchant.casefold(), text.casefold()
    if name in said:
        return True
    words = [w for w in re.split(r"[\s\-_/]+", name) if len(w) >= 4 or (w and not w.isascii() and len(w) >= 2)]
    return bool(words) and words[0] in said


def _payment_asked_about(payments: list[dict[str, Any]], text: str, zone: tzinfo) -> dict[str, Any] | None:
    """Which payment a question means: a transaction id named; else the merchant and/or amount named
    (both beat one); else a date named; else the most recent failed, pending or reversed one.
    `payments` are newest first."""
    from .periods import named_period

    named = {m.upper() for m in _TXN_ID.findall(text)}
    by_id = [t for t in payments if t["transactionId"].upper() in named]
    if by_id:
        return by_id[0]
    amounts = {round(float(a), 2) for a in _AMOUNT.findall(text)}

    def score(t: dict[str, Any]) -> int:
        return 2 * _merchant_named(t["merchant"], text) + (round(float(t["amount"]), 2) in amounts)

    best = max((score(t) for t in payments), default=0)
    if best:
        return next(t for t in payments if score(t) == best)
    troubled = [t for t in payments if t["status"] in ("FAILED", "PENDING", "REVERSED")]
    period = named_period(text, now(), zone)
    if period:
        start, end = (iso(moment) for moment in period)
        dated = [t for t in troubled or payments if start <= t["createdAt"] < end]
        if dated:
            return dated[0]
    return troubled[0] if troubled else None


class Resolver(CaseServices):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._by_intent: dict[str, Callable[[dict[str, Any], Route, str], ResolutionResult]] = {
            "transaction_history": self._transaction_history,
            "account_locked": self._unlock,
            "password_reset": self._password_reset,
            "payment_failed": self._payment_failed,
            "duplicate_payment": self._duplicate_payment,
            "product_info": self._product_info,
        }

    def resolve(self, case_id: str) -> ResolutionResult:
        case = self.cases.get(case_id)
        intent = case.get("intent") or "other"
        route = route_for(intent, case.get("priority"))
        language = case.get("language") or "en"
        level = (case.get("verification") or {}).get("level", "NONE")
        handler = self._by_intent.get(intent)
        secondary = case.get("secondaryIntent")
        if case.get("intentSource") == "threshold":  # the model was unsure: a person decides, never an answer
            result = _escalate(route_for("other", case.get("priority")), f"{intent}?: unsure", "intent unsure")
        elif secondary:  # two needs: one person sees both rather than an answer to one and silence on the other
            result = _escalate(
                route,
                f"{intent} + {secondary}: two needs",
                f"{intent} is handled by the {route.queue} team; the customer also asks about {secondary}",
                evidence=[{"primaryIntent": intent, "secondaryIntent": secondary}],
            )
        elif handler is None or not route.automatic or (case.get("confidence") or 0) == 0:
            result = _escalate(route, f"{intent}: needs a person", f"{intent} is handled by the {route.queue} team")
        elif route.requiresAuthentication and level != "AUTHENTICATED":
            result = _escalate(
                route, f"{intent}: identity not proven", "customer not authenticated for a sensitive request"
            )
        elif route.requiresAuthentication and not case.get("customerId"):
            result = _escalate(route, f"{intent}: customer not on file", "no customer matches this contact")
        else:
            result = handler(case, route, language)
        escalated = result.outcome == "ESCALATE"
        if escalated and intent == "unrecognized_transaction" and level == "AUTHENTICATED" and case.get("customerId"):
            result.evidence = [*self._disputed_payment(case), *result.evidence]  # also with a second need
        if result.outcome == "RESOLVED":
            self.cases.record(case_id, "resolve", result.summary, status="RESOLVED", resolution=result.summary)
        else:
            self.cases.record(case_id, "resolve", f"to {result.queue}: {result.reason}")
        return result

    # ---- intents ---------------------------------------------------------------------------------

    def _transaction_history(self, case: dict[str, Any], route: Route, language: str) -> ResolutionResult:
        from .periods import parse_period, wants_statement

        text = case_text(case)
        zone = self._customer_zone(case["customerId"])
        period = parse_period(text, now(), zone)
        transactions = self.ledger.for_customer(
            case["customerId"],
            start=iso(period.start) if period.start else None,
            end=iso(period.end) if period.end else None,
            limit=period.limit,
        )
        label = period.label.get(language) or period.label.get("en", "")
        if not transactions:
            summary = _t("none", language)
        else:
            lines = [
                _t(
                    "txn_line",
                    language,
                    when=local_time(t["createdAt"], zone),
                    merchant=t["merchant"],
                    amount=f"{t['amount']:.2f}",
                    currency=t["currency"],
                    status=status_text(t["status"], language),
                )
                for t in transactions[:10]
            ]
            summary = _t("txn_head", language, label=label, count=len(transactions)) + "\n" + "\n".join(lines)
        if wants_statement(text) and transactions:
            statement_lines = "\n".join(
                f"{local_time(t['createdAt'], zone)} {t['transactionId']} {t['merchant']} {t['amount']:.2f} "
                f"{t['currency']} {status_text(t['status'], language)}"
                for t in transactions
            )
            self.notifier.send(case["caseId"], "statement", period=label, lines=statement_lines)
            summary += "\n" + _t("statement", language)
        return ResolutionResult(outcome="RESOLVED", summary=summary)

    def _unlock(self, case: dict[str, Any], route: Route, language: str) -> ResolutionResult:
        customer = self.directory.by_id(case["customerId"]) or {}
        if customer.get("accountStatus") != "LOCKED":
            return ResolutionResult(outcome="RESOLVED", summary=_t("not_locked", language))
        self.directory.set_account_status(
            case["customerId"],
            "ACTIVE",
            actor="switchboard",
            reason=f"unlocked after one-time code, case {case['caseId']}",
        )
        self.cases.record(case["caseId"], "action", "account unlocked after one-time code (who: switchboard)")
        return ResolutionResult(outcome="RESOLVED", summary=_t("unlocked", language))

    def _password_reset(self, case: dict[str, Any], route: Route, language: str) -> ResolutionResult:
        import secrets

        link = f"https://pay.example/reset/{secrets.token_urlsafe(16)}"
        sent = self.notifier.send(case["caseId"], "password_reset", reset_link=link, minutes="30")
        if sent["status"] in ("NO_DESTINATION", "SKIPPED"):
            return _escalate(
                route, "password reset: no contact on file", "no phone or email on file for the reset link"
            )
        return ResolutionResult(outcome="RESOLVED", summary=_t("reset_sent", language))

    def _customer_zone(self, customer_id: str) -> tzinfo:
        """The customer's time zone on file (`timeZone`), else the service's home zone."""
        name = (self.directory.by_id(customer_id) or {}).get("timeZone") or DEFAULT_TIME_ZONE
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return SHANGHAI

    def _disputed_payment(self, case: dict[str, Any]) -> list[dict[str, Any]]:
        """The charge a fraud report names, for the disputes agent, with what they may do about it."""
        recent = self.ledger.for_customer(case["customerId"], start=iso(now() - timedelta(days=60)))
        zone = self._customer_zone(case["customerId"])
        txn = _payment_asked_about([t for t in recent if t.get("type", "PAYMENT") == "PAYMENT"], case_text(case), zone)
        if txn is None:
            return []
        return [{**_evidence(txn), "role": "disputed", "suggestedActions": ["BLOCK_CARD", "OPEN_CHARGEBACK"]}]

    def _payment_failed(self, case: dict[str, Any], route: Route, language: str) -> ResolutionResult:
        if not case.get("customerId"):
            return _escalate(route, "payment problem: customer not on file", "cannot look the payment up")
        zone = self._customer_zone(case["customerId"])
        recent = [
            t
            for t in self.ledger.for_customer(case["customerId"], start=iso(now() - timedelta(days=14)))
            if t.get("type", "PAYMENT") == "PAYMENT"
        ]
        txn = _payment_asked_about(recent, case_text(case), zone)
        if txn is None:
            return _escalate(
                route, "payment problem: no matching payment found", "no failed or pending payment in 14 days"
            )
        window = settings().payment_reversal_window_hours
        status = txn["status"]
        payment = _t("payment", language, **_payment_fields(txn, zone))
        said = {"payment": payment, "Payment": payment[:1].upper() + payment[1:]}
        if status == "FAILED":
            return ResolutionResult(outcome="RESOLVED", summary=_t("pay_no_money", language, **said))
        if status == "REVERSED":
            return ResolutionResult(outcome="RESOLVED", summary=_t("pay_reversed", language, **said))
        if status == "PENDING":
            age = now() - parse_iso(txn["createdAt"])
            if age > timedelta(hours=window):
                return _escalate(
                    route,
                    f"payment {txn['transactionId']}: money taken, not at the merchant for {int(age.total_seconds() // 3600)} h",
                    f"pending longer than the {window} h reversal window",
                    evidence=[_evidence(txn)],
                )
            return ResolutionResult(outcome="RESOLVED", summary=_t("pay_pending", language, hours=window, **said))
        return ResolutionResult(outcome="RESOLVED", summary=_t("pay_ok", language, **said))

    def _duplicate_payment(self, case: dict[str, Any], route: Route, language: str) -> ResolutionResult:
        recent = [
            t
            for t in self.ledger.for_customer(case["customerId"], start=iso(now() - timedelta(days=60)))
            if t["status"] == "SUCCESS" and t.get("type", "PAYMENT") == "PAYMENT"
        ]
        named = {m.upper() for m in _TXN_ID.findall(case_text(case))}
        pair = None
        for i, later in enumerate(recent):
            for earlier in recent[i + 1 :]:
                same = later["merchant"] == earlier["merchant"] and later["amount"] == earlier["amount"]
                close = parse_iso(later["createdAt"]) - parse_iso(earlier["createdAt"]) <= DUPLICATE_WINDOW
                if same and (close or {later["transactionId"].upper(), earlier["transactionId"].upper()} <= named):
                    pair = (earlier, later)
                    break
            if pair:
                break
        hours = settings().refund_review_hours
        if not pair:
            return _escalate(
                route,
                "duplicate payment claimed; no duplicate found automatically",
                "no two equal payments to one merchant within 30 minutes",
            )
        earlier, later = pair
        return _escalate(
            route,
            f"refund request: {later['transactionId']} duplicates {earlier['transactionId']} "
            f"({later['merchant']}, {later['amount']:.2f} {later['currency']}); review within {hours} h",
            "refund needs a payments agent's approval",
            evidence=[
                {**_evidence(earlier), "role": "original"},
                {**_evidence(later), "role": "duplicate", "suggestedAction": "APPROVE_REFUND"},
            ],
        )

    def _product_info(self, case: dict[str, Any], route: Route, language: str) -> ResolutionResult:
        from .knowledge import answer

        found = answer(case_text(case), language)
        if not found:
            return _escalate(
                route, "product question without a knowledge-base answer", "no article matches", queue="general"
            )
        return ResolutionResult(outcome="RESOLVED", summary=found.text)
