"""ApplyDecision: carry out what an agent decided (refund, chargeback, card block, unlock, password
reset), once the workflow resumes from the human task; the customer is told only what was done."""

from __future__ import annotations

from typing import Any

from ..adapters.repository.cases import timeline_entry
from ..domain.clock import iso
from ..domain.masking import HIDDEN, mask_account
from ..domain.models import ResolutionResult, TaskDecision
from ..domain.routing import queue_sla_seconds
from ..text.templates import action_text
from .resolve import answer_secondary
from .services import CaseServices


class DecisionExecutor:
    """Carries out what an agent decided, once the workflow resumes (ApplyDecision state)."""

    def __init__(self, services: CaseServices | None = None) -> None:
        services = self.services = services or CaseServices()
        self.cases, self.directory = services.cases, services.directory
        self.ledger, self.notifier = services.ledger, services.notifier

    def apply(self, case_id: str, decision: TaskDecision, previous: ResolutionResult) -> ResolutionResult:
        actor = f"agent:{decision.agentId}"
        if decision.outcome == "ASK_CUSTOMER":  # the desk recorded the message; AwaitCustomer sends it
            return previous.model_copy(update={"outcome": "AWAIT_CUSTOMER"})
        if decision.outcome == "REASSIGN":
            queue = decision.queue or "general"
            self.cases.record(case_id, "agent", f"reassigned to {queue}", actor=actor, queue=queue)
            return previous.model_copy(
                update={
                    "queue": queue,
                    "reason": f"reassigned by {decision.agentId}: {decision.resolution[:200]}",
                    "slaSeconds": queue_sla_seconds(queue),
                    "tier": "agent",
                    "notified": False,  # the new team's notice is NotifyEscalated's
                    "closed": False,
                }
            )
        case = self.cases.get(case_id)
        language = case.get("language") or "en"
        outcomes = [self._act(case, action, actor) for action in decision.actions if action.type != "NONE"]
        carried_out = [told for _, told in outcomes if told]  # only what really happened is told
        summary = decision.resolution if decision.outcome == "RESOLVED" else f"REJECTED: {decision.resolution}"
        if carried_out:
            summary += "\n" + action_text("heading", language) + "\n" + "\n".join(f"- {t}" for t in carried_out)
        also = answer_secondary(case, self.services)  # an automatic second need, after the agent's decision
        if also is not None:
            summary += "\n\n" + also.summary
            self.cases.record(case_id, "resolve", f"also answered {case['secondaryIntent']} automatically", actor=actor)
        self.cases.record(
            case_id,
            "agent",
            f"{decision.outcome}: {'; '.join(log for log, _ in outcomes) or 'no actions'}",
            actor=actor,
            status="RESOLVED",
            resolution=summary,
        )
        return ResolutionResult(outcome="RESOLVED", summary=summary, notification="agent_resolution")

    def _act(self, case: dict[str, Any], action: Any, actor: str) -> tuple[str, str | None]:
        """(what the agent's record says, what the customer is told or None when nothing was done)."""
        customer_id = case.get("customerId")
        language = case.get("language") or "en"
        txn = self.ledger.get(customer_id, action.transactionId) if customer_id and action.transactionId else None
        if action.type == "APPROVE_REFUND":
            if not txn:
                return f"refund not recorded: transaction {action.transactionId} not found for this customer", None
            if txn.get("refundStatus") == "APPROVED":
                return f"refund for {txn['transactionId']} already recorded", None
            refund_id = f"R{txn['transactionId']}"
            self.ledger.put(
                {
                    "transactionId": refund_id,
                    "customerId": customer_id,
                    "accountId": txn.get("accountId"),
                    "merchant": txn["merchant"],
                    "amount": -txn["amount"],
                    "currency": txn["currency"],
                    "status": "REFUND_PENDING",
                    "type": "REFUND",
                    "refundOf": txn["transactionId"],
                    "createdAt": iso(),
                    "approvedBy": actor,
                    "caseId": case["caseId"],
                }
            )
            self.ledger.update(txn, refundStatus="APPROVED", refundId=refund_id)
            self.cases.update(
                case["caseId"],
                timeline=[timeline_entry("action", f"refund {refund_id} of {txn['transactionId']} approved", actor)],
            )
            return f"refund {refund_id} recorded", action_text("APPROVE_REFUND", language, **_txn_fields(txn))
        if action.type == "OPEN_CHARGEBACK":
            if not txn:
                return f"chargeback not opened: transaction {action.transactionId} not found for this customer", None
            if txn.get("chargebackStatus"):
                return f"chargeback for {txn['transactionId']} already {txn['chargebackStatus'].lower()}", None
            self.ledger.update(
                txn,
                chargebackStatus="OPEN",
                chargebackOpenedAt=iso(),
                chargebackBy=actor,
                chargebackCaseId=case["caseId"],
            )
            self.cases.update(
                case["caseId"],
                timeline=[timeline_entry("action", f"chargeback opened for {txn['transactionId']}", actor)],
            )
            return f"chargeback for {txn['transactionId']} opened", action_text(
                "OPEN_CHARGEBACK", language, **_txn_fields(txn)
            )
        if action.type == "BLOCK_CARD":
            account = (txn or {}).get("accountId") or action.accountId
            if not customer_id or not account:
                return "card not blocked: no card named (transactionId or accountId)", None
            if not self.directory.block_card(customer_id, account, actor, f"blocked by agent, case {case['caseId']}"):
                return "card not blocked: that card is not this customer's, or is blocked already", None
            card = mask_account(account) or HIDDEN
            self.cases.update(case["caseId"], timeline=[timeline_entry("action", f"card {card} blocked", actor)])
            return f"card {card} blocked", action_text("BLOCK_CARD", language, card=card.lstrip("*"))
        if action.type == "UNLOCK_ACCOUNT" and customer_id:
            self.directory.set_account_status(customer_id, "ACTIVE", actor, f"unlocked by agent, case {case['caseId']}")
            return "account unlocked", action_text("UNLOCK_ACCOUNT", language)
        if action.type == "SEND_PASSWORD_RESET" and customer_id:
            import secrets

            sent = self.notifier.send(
                case["caseId"],
                "password_reset",
                reset_link=f"https://pay.example/reset/{secrets.token_urlsafe(16)}",
                minutes="30",
            )
            if sent["status"] != "SENT":
                return f"password reset not sent ({sent['status']})", None
            return "password reset sent", action_text("SEND_PASSWORD_RESET", language)
        return f"{action.type} not applicable", None


def _txn_fields(txn: dict[str, Any]) -> dict[str, str]:
    return {
        "txn": txn["transactionId"],
        "merchant": txn["merchant"],
        "amount": f"{abs(txn['amount']):.2f}",
        "currency": txn["currency"],
    }
