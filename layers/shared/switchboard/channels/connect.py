"""Amazon Connect contact flows: open the case through the same intake, answer the next IVR action.

Connect waits at most 8 seconds and reads a flat map of strings, so this does only cheap work
synchronously (intake + the IVR menu / text model); the workflow does the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..text.prompts import prompt_text
from .intake import Intake

if TYPE_CHECKING:
    from ..domain.models import PhoneContact

# The models and the routing policy (which builds Route) are imported by the functions that use them: their
# classes are made on a caller's first call, or before the SnapStart snapshot (warm), not at this import.


def warm(intake: Intake) -> None:
    """Before the SnapStart snapshot (functions/connect/app.py): what a caller's first call would load or
    build lazily is loaded now (the intake's validators and settings, the routing policy, the prompts'
    team names, the intent model), so a restored environment answers the first caller warm. No AWS call."""
    from ..domain.routing import route_for
    from ..nlp import classify_text
    from ..text.templates import team_name
    from ..workflow.classify import is_confident

    intake.warm()
    route_for("human_agent")
    team_name("general", "zh-CN")
    is_confident(classify_text("warm"))


def _language(params: dict[str, str], attributes: dict[str, str], text: str) -> str:
    chosen = params.get("language") or attributes.get("language") or ""
    if chosen.lower().startswith("en"):
        return "en"
    if chosen.lower().startswith("zh"):
        return "zh-CN"
    if text:
        from ..nlp import detect_language

        return detect_language(text)
    return "zh-CN"  # the hotline's default language


def _flat(**values: Any) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in values.items()}


def handle_contact_flow(event: dict[str, Any], intake: Intake | None = None) -> dict[str, str]:
    from ..domain.models import PhoneContact, normalise_text

    details = event.get("Details") or {}
    data = details.get("ContactData") or {}
    params = {k: str(v) for k, v in (details.get("Parameters") or {}).items()}
    attributes = {k: str(v) for k, v in (data.get("Attributes") or {}).items()}
    text = normalise_text(params.get("transcript") or attributes.get("transcript") or "")
    language = _language(params, attributes, text)
    if params.get("code") and params.get("caseId"):
        return _code_entered(params["caseId"], params["code"], language)
    choice = params.get("ivrChoice") or attributes.get("ivrChoice") or None
    offered = {} if choice else _offered(text)
    if "needChoice" in params:  # the caller's answer to CHOOSE_NEED: one of the offered digits, else a person
        choice = params["needChoice"] if params["needChoice"] in offered else _agent_digit()
    elif len(offered) >= 2:
        # Unsure of the words: the menu asks before any case opens, and the flow calls again with
        # needChoice (and the same transcript, which offers the same digits).
        from ..text.prompts import choose_need_prompt

        prompt = choose_need_prompt(offered, language, _agent_digit())
        return _flat(
            caseId="",
            caseStatus="",
            nextAction="CHOOSE_NEED",
            queue="",
            language=language,
            choices=",".join(offered),
            prompt=prompt,
        )
    caller = ((data.get("CustomerEndpoint") or {}).get("Address") or "").replace(" ", "")
    try:
        contact = PhoneContact(
            channel="phone",
            callerNumber=caller,
            contactId=data.get("ContactId") or data.get("InitialContactId"),
            ivrChoice=choice,
            message=text or f"IVR menu choice {choice or 'none'}",
            language=language,
        )
    except ValidationError:
        # A withheld or malformed caller id opens no case: the caller still reaches a person.
        from ..text.templates import team_name

        prompt = prompt_text("NO_CASE", language, team=team_name("general", language))
        return _flat(caseId="", caseStatus="", nextAction="TRANSFER", queue="general", language=language, prompt=prompt)
    accepted = (intake or Intake()).accept(contact, idempotency_key=None, app_user=None)
    action, queue = _next_action(contact, text)
    from ..text.templates import team_name

    prompt = prompt_text(action, language, case=" ".join(accepted.caseId), team=team_name(queue, language))
    return _flat(
        caseId=accepted.caseId,
        caseStatus=accepted.status,
        nextAction=action,
        queue=queue,
        language=language,
        prompt=prompt,
    )


def _offered(text: str) -> dict[str, str]:
    """{menu digit: intent} of the likely needs when the model is unsure of the caller's words (the
    choices a chat customer would get), in the order offered; needs without a menu digit are left out."""
    if not text:
        return {}
    from ..domain.routing import ivr_menu
    from ..nlp import classify_text
    from ..workflow.classify import is_confident

    predicted = classify_text(text)
    if is_confident(predicted):
        return {}
    digits = {intent: digit for digit, intent in ivr_menu().items()}
    return {digits[intent]: intent for intent in predicted.clarify if intent in digits}


def _agent_digit() -> str:
    from ..domain.routing import ivr_menu

    return next(digit for digit, intent in ivr_menu().items() if intent == "human_agent")


def _next_action(contact: PhoneContact, text: str) -> tuple[str, str]:
    from ..domain.routing import ivr_intent, route_for

    intent = ivr_intent(contact.ivrChoice)
    if not intent:
        from ..nlp import classify_text
        from ..workflow.classify import is_confident

        predicted = classify_text(text) if text else None
        # unsure: a person, as the workflow's Classify decides (the same threshold), never a guessed answer
        intent = predicted.intent if predicted and is_confident(predicted) else "human_agent"
    route = route_for(intent)
    if route.requiresAuthentication:  # asked of every caller: whether the number is on file stays unsaid
        return "COLLECT_CODE", route.queue
    return ("PLAY_MESSAGE" if route.automatic else "TRANSFER"), route.queue


def _code_entered(case_id: str, code: str, language: str) -> dict[str, str]:
    from ..domain.errors import CaseNotFound, CodeRejected, NoCodePending, TooManyAttempts
    from ..workflow.verify import Verification

    try:
        Verification().check_code(case_id, code)
        action, prompt = "PLAY_MESSAGE", prompt_text("CODE_ACCEPTED", language)
    except CodeRejected as rejected:
        key = "CODE_REJECTED" if rejected.attempts_left else "CODE_FAILED"
        action = "COLLECT_CODE" if rejected.attempts_left else "TRANSFER"
        prompt = prompt_text(key, language)
    except (NoCodePending, TooManyAttempts, CaseNotFound):  # nothing (left) to check: the caller reaches a person
        action, prompt = "TRANSFER", prompt_text("CODE_FAILED", language)
    return _flat(caseId=case_id, nextAction=action, language=language, prompt=prompt)
