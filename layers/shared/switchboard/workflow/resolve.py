"""Resolve: answer the hotline's routine questions automatically, against the directory and the
ledger, through one handler per intent (workflow/intents/); anything they cannot settle becomes an
escalation with the evidence an agent needs."""

from __future__ import annotations

from typing import Any

from ..adapters.repository.cases import timeline_entry
from ..domain.models import ResolutionResult, Route
from ..domain.routing import route_for
from .intents import HANDLERS
from .intents.common import escalate
from .intents.unrecognized_transaction import disputed_payment
from .services import CaseServices


def automatic_secondary(case: dict[str, Any]) -> bool:
    """Whether the case's secondary need is one the workflow answers itself (a statement, the
    transactions, fees...) and this customer may get it (verification, on file)."""
    secondary = case.get("secondaryIntent")
    if not secondary or secondary not in HANDLERS:
        return False
    route = route_for(secondary)
    level = (case.get("verification") or {}).get("level", "NONE")
    authenticated = level == "AUTHENTICATED" and bool(case.get("customerId"))
    return route.automatic and (authenticated or not route.requiresAuthentication)


def answer_secondary(case: dict[str, Any], services: CaseServices) -> ResolutionResult | None:
    """The secondary need answered automatically, after the primary; None when it needs a person."""
    if not automatic_secondary(case):
        return None
    secondary = case["secondaryIntent"]
    route = route_for(secondary, case.get("priority"))
    result = HANDLERS[secondary](case, route, case.get("language") or "en", services)
    return result if result.outcome == "RESOLVED" else None


class Resolver:
    def __init__(self, services: CaseServices | None = None) -> None:
        self.services = services or CaseServices()

    def resolve(self, case_id: str) -> tuple[ResolutionResult, dict[str, Any]]:
        """The answer (or the escalation), and the case as it was recorded (what the outcome's notice
        reads rather than reading the case again)."""
        case = self.services.cases.get(case_id)
        intent = case.get("intent") or "other"
        route = route_for(intent, case.get("priority"))
        language = case.get("language") or "en"
        level = (case.get("verification") or {}).get("level", "NONE")
        handler = HANDLERS.get(intent)
        secondary = case.get("secondaryIntent")
        if case.get("intentSource") == "threshold":  # the model was unsure: a person decides, never an answer
            result = escalate(route_for("other", case.get("priority")), f"{intent}?: unsure", "intent unsure")
        elif secondary and not automatic_secondary(case):
            # two needs a person must see: one person sees both rather than an answer to one and silence on the other
            result = escalate(
                route,
                f"{intent} + {secondary}: two needs",
                f"{intent} is handled by the {route.queue} team; the customer also asks about {secondary}",
                evidence=[{"primaryIntent": intent, "secondaryIntent": secondary}],
            )
        elif handler is None or not route.automatic or (case.get("confidence") or 0) == 0:
            result = escalate(route, f"{intent}: needs a person", f"{intent} is handled by the {route.queue} team")
        elif route.requiresAuthentication and level != "AUTHENTICATED":
            result = escalate(
                route, f"{intent}: identity not proven", "customer not authenticated for a sensitive request"
            )
        elif route.requiresAuthentication and not case.get("customerId"):
            result = escalate(route, f"{intent}: customer not on file", "no customer matches this contact")
        else:
            result = handler(case, route, language, self.services)
        if secondary and automatic_secondary(case) and case.get("intentSource") != "threshold":
            result = self._with_secondary(case, intent, secondary, route, result)
        escalated = result.outcome == "ESCALATE"
        if escalated and intent == "unrecognized_transaction" and level == "AUTHENTICATED" and case.get("customerId"):
            result.evidence = [*disputed_payment(case, self.services), *result.evidence]  # also with a second need
        if result.outcome == "RESOLVED":
            fields, detail = {"status": "RESOLVED", "resolution": result.summary}, result.summary
        else:
            fields, detail = {}, f"to {result.queue}: {result.reason}"
        recorded = self.services.cases.update(case_id, fields=fields, timeline=[timeline_entry("resolve", detail)])
        return result, recorded

    def _with_secondary(
        self, case: dict[str, Any], intent: str, secondary: str, route: Route, primary: ResolutionResult
    ) -> ResolutionResult:
        """An automatic second need is handled after the primary: at once when the primary was answered
        (the customer is told both), else once the agent has decided (ApplyDecision); the agent sees it."""
        note = {"primaryIntent": intent, "secondaryIntent": secondary}
        if primary.outcome == "RESOLVED":
            also = answer_secondary(case, self.services)
            if also is not None:
                self.services.cases.record(case["caseId"], "resolve", f"also answered {secondary} automatically")
                return primary.model_copy(update={"summary": f"{primary.summary}\n\n{also.summary}"})
            # the second need wants a person after all: they see both, and what the customer was not told yet
            return escalate(
                route,
                f"{intent} + {secondary}: two needs",
                f"{intent} was answered automatically; {secondary} needs a person",
                evidence=[{**note, "primaryAnswer": primary.summary}],
            )
        return primary.model_copy(
            update={
                "summary": f"{primary.summary} (+ {secondary}: answered automatically once this task is decided)",
                "evidence": [*primary.evidence, {**note, "secondaryHandling": "automatic, after this task"}],
            }
        )
