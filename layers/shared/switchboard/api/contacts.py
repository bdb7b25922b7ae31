"""The customers' routes: POST /contacts (every channel), and the case's own GET, code and feedback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path

from ..domain.models import (
    CaseMessage,
    CaseView,
    CodeAccepted,
    Contact,
    ContactAccepted,
    Feedback,
    FeedbackRecorded,
    MessageAccepted,
    VerificationCode,
)
from .resolver import IDEMPOTENCY_KEY, answers, principal

if TYPE_CHECKING:
    from ..channels.customers import CustomerApi

CONTACTS_DESCRIPTION = (
    "Who may post what: `phone` contacts come only from an IVR channel client, with an OAuth2 "
    "client-credentials access token whose scope is `switchboard/contacts.phone` (Cognito "
    "resource server `switchboard`; locally a seed `channels` token) as `Authorization: "
    "Bearer`: none is 401, another channel's credential 403, and nothing is written. `web` "
    "is anonymous; `app_chat` is the signed-in app user. A number or email in the body is a "
    "claim, never a proof: nothing about accounts is shown before AUTHENTICATED."
)
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
CaseId = Annotated[str, Path(description="the case id the 202 answered")]


def contacts_router(api: CustomerApi) -> Router:
    """A Router over one CustomerApi (built once per cold start by the function that includes it)."""
    router = Router()

    @router.post(
        "/contacts",
        summary="Open a case (or add to an open chat case) from any channel",
        description=CONTACTS_DESCRIPTION,
        **answers(202, "accepted"),
        security=[{}, *BEARER],
        tags=["contacts"],
    )
    def post_contact(
        contact: Annotated[Contact, Body()],
        idempotency_key: Annotated[
            str | None, Header(alias="Idempotency-Key", pattern=IDEMPOTENCY_KEY, description="else the channel's key")
        ] = None,
    ) -> ContactAccepted:
        return api.open(contact, idempotency_key, principal(router.current_event.raw_event))

    @router.get(
        "/cases/<caseId>",
        summary="The case view (its customer or an agent)",
        **answers(200, "the case"),
        security=BEARER,
        tags=["cases"],
    )
    def get_case(caseId: CaseId) -> CaseView:  # noqa: N803 - the route's path parameter
        return api.view(caseId, principal(router.current_event.raw_event))

    @router.post(
        "/cases/<caseId>/verification",
        summary="The one-time code a waiting verification asked for",
        **answers(200, "verified"),
        security=BEARER,
        tags=["cases"],
    )
    def post_verification(caseId: CaseId, code: Annotated[VerificationCode, Body()]) -> CodeAccepted:  # noqa: N803
        return CodeAccepted.model_validate(api.verify_code(caseId, code, principal(router.current_event.raw_event)))

    @router.post(
        "/cases/<caseId>/feedback",
        summary="Satisfaction score after close, once per case",
        **answers(201, "recorded"),
        security=BEARER,
        tags=["cases"],
    )
    def post_feedback(caseId: CaseId, feedback: Annotated[Feedback, Body()]) -> FeedbackRecorded:  # noqa: N803
        answer = api.feedback(caseId, feedback, principal(router.current_event.raw_event))
        return FeedbackRecorded.model_validate(answer)

    @router.post(
        "/cases/<caseId>/messages",
        summary="The customer's message on their case: answers an agent's question (web and email customers)",
        description="The case token (or the signed-in app user). A retry with the same Idempotency-Key, or the same "
        "text while the same question waits, adds nothing and resumes nothing twice.",
        **answers(200, "on the case"),
        security=BEARER,
        tags=["cases"],
    )
    def post_message(
        caseId: CaseId,  # noqa: N803
        body: Annotated[CaseMessage, Body()],
        idempotency_key: Annotated[
            str | None, Header(alias="Idempotency-Key", pattern=IDEMPOTENCY_KEY, description="a retry's key")
        ] = None,
    ) -> MessageAccepted:
        return api.message(caseId, body, idempotency_key, principal(router.current_event.raw_event))

    return router
