"""What the customer needs: IVR menu choice first, else the bilingual text model; then priority
(sentiment raises it) and the route from the policy."""

from __future__ import annotations

from typing import Any

from ..adapters.events import publish
from ..adapters.repository.cases import CaseRepository
from ..domain.models import ClassificationResult
from ..domain.routing import confidence_threshold, ivr_intent, one_step_up, raise_priority, route_for


def case_text(case: dict[str, Any]) -> str:
    return "\n".join(m["text"] for m in case.get("messages", []) if m.get("from") == "customer")


def is_confident(predicted: Any) -> bool:
    """The model's threshold is the one cross-validation chose for a low misroute rate; the policy's
    confidenceThreshold is a floor ops can raise without retraining. Every channel asks this."""
    return round(predicted.confidence, 3) >= max(confidence_threshold(), predicted.threshold)


def classify(case: dict[str, Any]) -> ClassificationResult:
    from ..nlp import assess_sentiment, classify_text, detect_language

    text = case_text(case)
    language = case.get("language") or detect_language(text)
    menu_intent = ivr_intent(case.get("contact", {}).get("ivrChoice"))
    secondary: str | None = None
    clarify: tuple[str, ...] = ()
    if menu_intent:
        intent, confidence, source = menu_intent, 1.0, "ivr"
    else:
        predicted = classify_text(text)
        intent, confidence, secondary = predicted.intent, round(predicted.confidence, 3), predicted.secondary
        source = "text" if is_confident(predicted) else "threshold"
        clarify = predicted.clarify if source == "threshold" else ()
    # Below the threshold the guess is kept for the agent to see, but a human decides: general queue.
    route = route_for(intent if source != "threshold" else "other")
    sentiment = assess_sentiment(text)
    priority = route.priority
    if sentiment.angry:
        priority = one_step_up(priority)
    if sentiment.escalation_threat:
        priority = raise_priority(priority, "urgent")
    route = route.model_copy(update={"priority": priority})
    level = (case.get("verification") or {}).get("level", "NONE")
    # Whether or not the contact is on file, a sensitive request waits for a code the same way: what
    # the caller sees must not tell them whether a number or email belongs to a customer.
    needs_step_up = route.requiresAuthentication and level != "AUTHENTICATED"
    return ClassificationResult(
        intent=intent,
        confidence=confidence,
        secondaryIntent=secondary,
        clarify=list(clarify),
        language=language,
        priority=priority,
        source=source,
        sentimentCues=list(sentiment.cues),
        route=route,
        needsStepUp=needs_step_up,
    )


def classify_case(case_id: str, cases: CaseRepository | None = None) -> ClassificationResult:
    cases = cases or CaseRepository()
    case = cases.get(case_id)
    result = classify(case)
    detail = f"intent {result.intent} ({result.confidence:.2f}, by {result.source}); priority {result.priority}"
    if result.secondaryIntent:
        detail += f"; also {result.secondaryIntent}"
    if result.sentimentCues:
        detail += f"; cues: {', '.join(result.sentimentCues)}"
    if result.needsStepUp:
        detail += "; needs a one-time code"
    updated = cases.record(
        case_id,
        "classify",
        detail,
        status="VERIFYING" if result.needsStepUp else "CLASSIFIED",
        intent=result.intent,
        secondaryIntent=result.secondaryIntent,
        intentSource=result.source,
        confidence=result.confidence,
        priority=result.priority,
        language=result.language,
        queue=result.route.queue,
    )
    publish("CaseClassified", updated, source=result.source, confidence=result.confidence)
    return result
