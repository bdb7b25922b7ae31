"""What the customer needs: IVR menu choice first, else the bilingual text model; then priority
(sentiment raises it) and the route from the policy."""

from __future__ import annotations

from typing import Any

from ..adapters.events import publish
from ..adapters.repository.cases import CaseRepository, timeline_entry
from ..domain.clock import iso
from ..domain.models import ClassificationResult
from ..domain.routing import confidence_threshold, ivr_intent, one_step_up, raise_priority, route_for

# Who is asked a clarifying question when the model is unsure: they can answer in the same session
# (chat) or on their case (web). A caller is asked by the IVR menu before the case opens (connect.py).
ASKING_CHANNELS = ("app_chat", "web")


def case_text(case: dict[str, Any], before: str | None = None) -> str:
    """The customer's messages (those before `before`, an ISO time, when given)."""
    return "\n".join(
        m["text"]
        for m in case.get("messages", [])
        if m.get("from") == "customer" and (before is None or m["at"] < before)
    )


def answers(case: dict[str, Any], asked_at: str) -> list[str]:
    """What the customer wrote after the clarifying question was asked, one entry a message."""
    return [m["text"] for m in case.get("messages", []) if m.get("from") == "customer" and m["at"] >= asked_at]


def is_confident(predicted: Any) -> bool:
    """The model's threshold is the one cross-validation chose for a low misroute rate; the policy's
    confidenceThreshold is a floor ops can raise without retraining. Every channel asks this."""
    return round(predicted.confidence, 3) >= max(confidence_threshold(), predicted.threshold)


def classify(case: dict[str, Any]) -> ClassificationResult:
    """IVR menu choice, else the text model; when the model is unsure a chat or web customer is asked
    once which need they have (askCustomer), and their answer, read here on the next run, decides."""
    from ..nlp import assess_sentiment, classify_text, detect_language
    from ..nlp.clarify import chosen_need

    asked = case.get("clarify")  # {"choices", "askedAt"}: the question went out; never asked twice
    text = case_text(case, before=asked["askedAt"] if asked else None)
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
        if source == "threshold" and asked:
            # the latest message that picks a choice answers it (an earlier one may be more detail)
            picked = (chosen_need(text, asked["choices"]) for text in reversed(answers(case, asked["askedAt"])))
            chosen = next((need for need in picked if need), None)
            if chosen:  # the customer said which: that decides the route
                intent, confidence, secondary, source = chosen, 1.0, None, "customer"
        elif source == "threshold":
            clarify = predicted.clarify
    # Below the threshold the guess is kept for the agent to see, but a human decides: general queue.
    route = route_for(intent if source != "threshold" else "other")
    sentiment = assess_sentiment(case_text(case))
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
        askCustomer=bool(clarify) and case.get("channel") in ASKING_CHANNELS,
    )


def classify_case(case: dict[str, Any], cases: CaseRepository | None = None) -> ClassificationResult:
    """Classify `case` (as just read, its verification recorded) and record the result on it."""
    cases = cases or CaseRepository()
    case_id = case["caseId"]
    result = classify(case)
    asked = case.get("clarify")
    if result.askCustomer:
        choices = ", ".join(result.clarify)
        cases.record(
            case_id,
            "classify",
            f"unsure: intent {result.intent}? ({result.confidence:.2f}); asking the customer which need: {choices}",
            intent=result.intent,
            intentSource=result.source,
            confidence=result.confidence,
            language=result.language,
            clarify={"choices": result.clarify, "askedAt": iso()},
        )
        return result  # classified once the customer answers (or does not)
    detail = f"intent {result.intent} ({result.confidence:.2f}, by {result.source}); priority {result.priority}"
    if asked and result.source == "customer":
        detail = f"the customer chose {result.intent} (of {', '.join(asked['choices'])}); priority {result.priority}"
    elif asked:
        detail = f"no clear answer to which need (of {', '.join(asked['choices'])}): a person decides; " + detail
    if result.secondaryIntent:
        detail += f"; also {result.secondaryIntent}"
    if result.sentimentCues:
        detail += f"; cues: {', '.join(result.sentimentCues)}"
    if result.needsStepUp:
        detail += "; needs a one-time code"
    updated = cases.update(
        case_id,
        fields={
            "status": "VERIFYING" if result.needsStepUp else "CLASSIFIED",
            "intent": result.intent,
            "secondaryIntent": result.secondaryIntent,
            "intentSource": result.source,
            "confidence": result.confidence,
            "priority": result.priority,
            "language": result.language,
            "queue": result.route.queue,
            **({"clarify": {**asked, "settled": True}} if asked else {}),
        },
        # after a question: no answer in time leaves its token behind, and nothing may resume it now
        remove=["awaitToken", "resumeStatus"] if asked else None,
        timeline=[timeline_entry("classify", detail)],
    )
    publish("CaseClassified", updated, source=result.source, confidence=result.confidence)
    return result
