"""Resolve: answer the hotline's routine questions automatically, against the directory and the
ledger, through one handler per intent (workflow/intents/); anything they cannot settle becomes an
escalation with the evidence an agent needs."""

from __future__ import annotations

from ..domain.models import ResolutionResult
from ..domain.routing import route_for
from .intents import HANDLERS
from .intents.common import escalate
from .intents.unrecognized_transaction import disputed_payment
from .services import CaseServices


class Resolver:
    def __init__(self, services: CaseServices | None = None) -> None:
        self.services = services or CaseServices()

    def resolve(self, case_id: str) -> ResolutionResult:
        case = self.services.cases.get(case_id)
        intent = case.get("intent") or "other"
        route = route_for(intent, case.get("priority"))
        language = case.get("language") or "en"
        level = (case.get("verification") or {}).get("level", "NONE")
        handler = HANDLERS.get(intent)
        secondary = case.get("secondaryIntent")
        if case.get("intentSource") == "threshold":  # the model was unsure: a person decides, never an answer
            result = escalate(route_for("other", case.get("priority")), f"{intent}?: unsure", "intent unsure")
        elif secondary:  # two needs: one person sees both rather than an answer to one and silence on the other
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
        escalated = result.outcome == "ESCALATE"
        if escalated and intent == "unrecognized_transaction" and level == "AUTHENTICATED" and case.get("customerId"):
            result.evidence = [*disputed_payment(case, self.services), *result.evidence]  # also with a second need
        if result.outcome == "RESOLVED":
            self.services.cases.record(case_id, "resolve", result.summary, status="RESOLVED", resolution=result.summary)
        else:
            self.services.cases.record(case_id, "resolve", f"to {result.queue}: {result.reason}")
        return result
