"""Pydantic models at every boundary: API bodies, case and task views, workflow state input/output."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator
from pydantic import BaseModel as PydanticModel

from ..nlp.intents import INTENTS


class BaseModel(PydanticModel):
    """The base of every model below: pydantic builds a model's validator on its first use instead of
    at import (`defer_build`), which keeps ~a third of a handler's cold import off the caller's wait."""

    model_config = ConfigDict(defer_build=True)


Channel = Literal["phone", "app_chat", "web"]
Language = Literal["zh-CN", "en"]
Intent = Literal[INTENTS]  # type: ignore[valid-type]  # the classifier's ids are the one list; mypy wants literals written out
Queue = Literal["account_support", "payments", "disputes", "complaints", "general", "supervisors"]
CaseStatus = Literal[
    "RECEIVED", "VERIFYING", "AWAITING_CUSTOMER", "CLASSIFIED", "RESOLVED", "ESCALATED", "CLOSED", "FAILED"
]
VerificationLevel = Literal["NONE", "IDENTIFIED", "AUTHENTICATED"]
Priority = Literal["urgent", "high", "normal", "low"]
Outcome = Literal["RESOLVED", "REJECTED", "REASSIGN"]
AgentActionName = Literal[
    "APPROVE_REFUND", "UNLOCK_ACCOUNT", "SEND_PASSWORD_RESET", "SEND_STATEMENT", "BLOCK_CARD", "OPEN_CHARGEBACK", "NONE"
]

# What a notice to the customer is about: one template each in data/templates.json, named by the ASL.
NotificationType = Literal[
    "received",
    "verification_code",
    "resolved",
    "escalated",
    "agent_resolution",
    "survey",
    "failure_fallback",
    "password_reset",
    "statement",
    "agent_message",
    "no_reply_closed",
    "regulatory_extension",
    "clarify_question",
]
ClockName = Literal["firstResponse", "resolution", "regulatory"]
# What the workflow does when the customer does not answer an agent's question in time (policy).
SilencePolicy = Literal["RETURN_TO_QUEUE", "CLOSE"]

PRIORITY_RANK: dict[str, int] = {"urgent": 0, "high": 1, "normal": 2, "low": 3}

MAX_TEXT_CHARS = 4000
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def normalise_text(value: str) -> str:
    """NFKC (full-width digits and letters become ASCII), control and bidi characters removed."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON \ud800 escape: not text
        raise ValueError("must be valid Unicode text") from None
    text = unicodedata.normalize("NFKC", value)
    text = _CONTROL.sub("", text)
    return text.strip()


def _non_blank(value: str) -> str:
    value = normalise_text(value)
    if not value:
        raise ValueError("must not be empty or whitespace only")
    return value


def _bounded(limit: int):
    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value

    return check


Text = Annotated[str, AfterValidator(_non_blank), AfterValidator(_bounded(MAX_TEXT_CHARS))]
ShortText = Annotated[str, AfterValidator(_non_blank), AfterValidator(_bounded(200))]
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")]
E164 = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]
Email = Annotated[
    str,
    StringConstraints(
        max_length=254, pattern=r"^[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$"
    ),
]
IvrChoice = Annotated[str, StringConstraints(pattern=r"^[0-9*#]{1,8}$")]


class _Contact(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    message: Text
    language: Language | None = None


class PhoneContact(_Contact):
    channel: Literal["phone"]
    callerNumber: E164
    contactId: Identifier
    ivrChoice: IvrChoice | None = None


class AppChatContact(_Contact):
    channel: Literal["app_chat"]
    sessionId: Identifier
    messageId: Identifier


class Attachment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ShortText
    contentType: Annotated[str, StringConstraints(pattern=r"^[a-z]+/[a-z0-9.+\-]+$", max_length=100)]
    sizeBytes: Annotated[int, Field(ge=0, le=10_000_000)]
    url: Annotated[str, StringConstraints(pattern=r"^https://", max_length=1000)] | None = None


class WebContact(_Contact):
    channel: Literal["web"]
    submissionId: Identifier
    name: ShortText
    email: Email
    phone: E164 | None = None
    accountId: Identifier | None = None
    subject: ShortText | None = None
    attachments: Annotated[list[Attachment], Field(max_length=5)] = []


Contact = Annotated[PhoneContact | AppChatContact | WebContact, Field(discriminator="channel")]


class ContactAccepted(BaseModel):
    caseId: str
    status: CaseStatus
    caseToken: str | None = None
    appended: bool = False


class VerificationState(BaseModel):
    level: VerificationLevel


class CodeAccepted(BaseModel):
    """POST /cases/{caseId}/verification: the code passed, the case is AUTHENTICATED."""

    verification: VerificationState


class FeedbackView(BaseModel):
    score: int
    comment: str | None = None


class FeedbackRecorded(BaseModel):
    caseId: str
    feedback: FeedbackView


class VerificationCode(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class Feedback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: Annotated[int, Field(ge=1, le=5, strict=True)]
    comment: Annotated[str, AfterValidator(normalise_text), AfterValidator(_bounded(1000))] | None = None


class TaskMessage(BaseModel):
    """POST /tasks/{taskId}/messages: what the claiming agent asks or tells the customer."""

    model_config = ConfigDict(extra="forbid")

    text: Text


class CaseMessage(BaseModel):
    """POST /cases/{caseId}/messages: the customer's answer to an agent (web and email customers)."""

    model_config = ConfigDict(extra="forbid")

    text: Text


class TaskExtension(BaseModel):
    """POST /tasks/{taskId}/extend: a supervisor extends a complaint's regulatory deadline, once."""

    model_config = ConfigDict(extra="forbid")

    days: Annotated[int, Field(ge=1, le=60, strict=True)]
    reason: ShortText


class MessageAccepted(BaseModel):
    """The customer's message is on the case; `resumed`: it answered an agent's question."""

    caseId: str
    status: CaseStatus
    resumed: bool


class InboundSms(BaseModel):
    """What AWS End User Messaging two-way SMS publishes to the inbound topic (the fields we read)."""

    model_config = ConfigDict(extra="ignore")

    originationNumber: E164
    messageBody: Text
    inboundMessageId: str | None = None
    destinationNumber: str | None = None


class AgentAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: AgentActionName
    transactionId: Identifier | None = None  # APPROVE_REFUND, OPEN_CHARGEBACK; BLOCK_CARD: the card it was paid with
    accountId: Identifier | None = None  # BLOCK_CARD: the card (account) on file, when no transaction names it
    note: ShortText | None = None


class TaskReassignment(BaseModel):
    """POST /tasks/{taskId}/reassign (supervisors): to another agent of the task's queue, or, with no
    agentId, back to the queue."""

    model_config = ConfigDict(extra="forbid")

    agentId: Identifier | None = None
    reason: ShortText | None = None


class TaskCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    resolution: Text
    actions: Annotated[list[AgentAction], Field(max_length=10)] = []
    queue: Queue | None = None


# ---- views (what the API answers) -------------------------------------------------------------


class TimelineEntry(BaseModel):
    at: str
    stage: str
    detail: str
    actor: str = "system"


class NotificationView(BaseModel):
    type: str
    channel: str
    to: str | None
    status: str
    at: str
    reason: str | None = None  # why a FAILED or SKIPPED notice was not delivered


class Clock(BaseModel):
    """A task's clock: due on the queue's business time (regulatory: calendar days); paused while the
    case waits on the customer; breached once due without being met (met: firstResponse, claimed)."""

    name: ClockName
    dueAt: str
    paused: bool = False
    breached: bool = False
    metAt: str | None = None
    extended: bool = False


class ConversationEntry(BaseModel):
    at: str
    by: Literal["agent", "customer"]
    agentId: str | None = None
    channel: str
    text: str


class RepeatContactView(BaseModel):
    """The case's latest repeat contact, as the agent sees it: "repeat contact, 2nd, by phone"."""

    count: int
    channel: str
    label: str


class TaskView(BaseModel):
    taskId: str
    caseId: str
    queue: str
    priority: str
    slaDueAt: str
    status: str
    summary: str
    evidence: list[dict] = []
    claimedBy: str | None = None
    clocks: list[Clock] = []
    conversation: list[ConversationEntry] = []
    language: str | None = None  # the customer's language (the hand-out prefers the agent's)
    intent: str | None = None
    customer: str | None = None  # who the customer is, masked (caller number, email or app user)
    kind: Literal["workflow", "survey_follow_up"] = "workflow"  # a follow-up has no workflow waiting on it
    repeatContact: RepeatContactView | None = None


class TaskPage(BaseModel):
    """GET /tasks: one page of open tasks; pass nextToken back for the next page (null: no more)."""

    tasks: list[TaskView]
    nextToken: str | None = None


class QuestionChoice(BaseModel):
    number: int
    intent: Intent
    label: str


class ClarifyingQuestion(BaseModel):
    """The one question asked when the classifier was unsure: answer it with POST /cases/{caseId}/messages
    (the number, or the need in your own words)."""

    text: str
    choices: list[QuestionChoice]


class CaseView(BaseModel):
    caseId: str
    channel: str
    status: str
    intent: str | None = None
    secondaryIntent: str | None = None
    confidence: float | None = None
    priority: str | None = None
    language: str | None = None
    verification: dict
    queue: str | None = None
    resolution: str | None = None
    tasks: list[TaskView] = []
    notifications: list[NotificationView] = []
    messages: list[dict] = []
    timeline: list[TimelineEntry] = []
    repeatContacts: int | None = None  # contacts on this case: the first, then each repeat that joined it
    mergedInto: str | None = None  # this contact joined that open case (shown only to who may read it)
    question: ClarifyingQuestion | None = None  # while the case waits on the customer's choice of need


class QueueCount(BaseModel):
    """A queue's open tasks now: waiting for an agent, held, waiting on the customer; and how many of
    them have a clock at risk (due within the policy's atRiskSeconds) or breached."""

    queue: Queue
    open: int
    claimed: int
    awaitingCustomer: int
    atRisk: int
    breached: int


class AgentLoadView(BaseModel):
    """An agent's claimed tasks against their capacity, with the queues their last sign-in named."""

    agentId: str
    queues: list[str]
    load: int
    capacity: int
    seenAt: str | None = None


class QueueBoard(BaseModel):
    """GET /queues: the caller's queues with counts; supervisors also get every task at risk or
    breached and every agent's load (others: empty lists and null)."""

    agentId: str  # who is asking (the desk shows it, and knows which tasks are the caller's)
    supervisor: bool
    queues: list[QueueCount]
    atRiskSeconds: int
    atRisk: list[TaskView] = []
    breached: list[TaskView] = []
    agents: list[AgentLoadView] | None = None


class PreviousContact(BaseModel):
    """Another case of the same customer on file, newest first."""

    caseId: str
    createdAt: str
    channel: str
    status: str
    intent: str | None = None


class TaskCase(BaseModel):
    """GET /tasks/{taskId}/case: the task, its case as agents see it (masked), the customer's other cases."""

    task: TaskView
    case: CaseView
    previousContacts: list[PreviousContact] = []


class ErrorDetail(BaseModel):
    field: str
    issue: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    error: ErrorBody


# ---- workflow state (what the ASL passes between states) --------------------------------------


class VerificationResult(BaseModel):
    level: VerificationLevel
    customerId: str | None = None
    matchedBy: str | None = None
    accountStatus: str | None = None
    language: Language | None = None
    codeDestination: Literal["sms", "email"] | None = None


class Route(BaseModel):
    queue: Queue
    priority: Priority
    slaSeconds: int
    supervisorSlaSeconds: int
    automatic: bool
    requiresAuthentication: bool


class ClassificationResult(BaseModel):
    intent: Intent
    confidence: float
    # A second need in the same message; `intent` (by precedence) decides the route.
    secondaryIntent: Intent | None = None
    # source "threshold" only: the likely needs a clarifying question can offer (may be empty).
    clarify: list[Intent] = []
    language: Language
    priority: Priority
    # ivr: the menu; text: the model, confident; threshold: the model, unsure (a person decides);
    # customer: the customer's answer to the clarifying question.
    source: Literal["ivr", "text", "threshold", "customer"]
    sentimentCues: list[str] = []
    route: Route
    needsStepUp: bool
    # Ask the customer which of `clarify` they need (AskWhichNeed), then classify again with the answer.
    askCustomer: bool = False


class RepeatContactResult(BaseModel):
    """Whether this contact joined the customer's open case of the same intent (its own
    case is then closed, merged), and that case's contact count after it."""

    joined: bool
    count: int | None = None


class ResolutionResult(BaseModel):
    outcome: Literal["RESOLVED", "ESCALATE", "AWAIT_CUSTOMER"]
    summary: str
    queue: Queue | None = None
    priority: Priority | None = None
    reason: str | None = None
    evidence: list[dict] = []
    slaSeconds: int | None = None
    supervisorSlaSeconds: int | None = None
    tier: Literal["agent", "supervisor"] = "agent"
    notification: NotificationType = "resolved"
    # Told in the step that decided it (Resolve, ApplyDecision): the outcome's notice settled (sent, or
    # why not), and an answer's case closed. False: the Notify / Close states do it, with their retries.
    notified: bool = False
    closed: bool = False


class AgentMessage(BaseModel):
    id: str
    text: str


class TaskDecision(BaseModel):
    """What an agent's completion (or question to the customer) sends back into the workflow
    (SendTaskSuccess output)."""

    taskId: str
    outcome: Outcome | Literal["ASK_CUSTOMER"]
    resolution: str = ""
    actions: list[AgentAction] = []
    queue: Queue | None = None
    agentId: str
    message: AgentMessage | None = None  # ASK_CUSTOMER: the words sent to the customer (masked)


# ---- what each state's function reads from the execution document ---------------------------


class StepInput(BaseModel):
    """The case id every state's function reads; each state's model below adds the fields that state
    reads. The rest of the execution document (the workflow's own) is ignored."""

    model_config = ConfigDict(extra="ignore")

    caseId: Identifier


class CaughtError(BaseModel):
    """What a Catch puts at its ResultPath: the error's name and its cause (a Lambda error's JSON;
    null when SendTaskFailure gave none)."""

    Error: str = "Unknown"
    Cause: str | None = None


class FailedStep(BaseModel):
    state: str = ""


class RoutedClassification(BaseModel):
    route: Route | None = None


class SendCodeInput(StepInput):
    taskToken: str


class EscalateInput(StepInput):
    taskToken: str
    request: ResolutionResult
    tier: Literal["agent", "supervisor"] = "agent"
    clocks: list[dict] = []  # PlanClocks' clocks for this task (empty: its fallback, the SLA alone)
    rewait: bool = False  # ClockDue sent it back: the case's open task waits again (never a second task)


class PlanClocksInput(StepInput):
    request: ResolutionResult


class ClockPlan(BaseModel):
    """PlanClocks' answer: the task's clocks and the human-task wait (seconds to the earliest deadline
    that ends it: resolution or regulatory)."""

    waitSeconds: int
    clocks: list[dict]
    resumed: bool = False
    rewait: bool = False  # HumanTask opens (or re-arms) the task; ClockDue's answer sets it


class ClockCheck(BaseModel):
    """ClockDue's answer when the human-task wait timed out: `expired` when a deadline that ends it has
    come (SlaExpired takes over), else the task waits again `waitSeconds` (a first response flagged
    breached, or a deadline a supervisor extended since the wait began)."""

    expired: bool
    waitSeconds: int = 1
    clocks: list[dict] = []
    reason: str
    rewait: bool = True  # HumanTask: the same task waits again, on the new token


class AskCustomerInput(StepInput):
    """AwaitCustomer: the agent's `decision` carries the message; AskWhichNeed: the `choices` to offer."""

    taskToken: str
    decision: TaskDecision | None = None
    choices: list[Intent] = []

    @model_validator(mode="after")
    def _one_question(self) -> AskCustomerInput:
        if (self.decision is None) == (not self.choices):
            raise ValueError("either an agent's decision or the choices of a clarifying question")
        return self


class CustomerAsked(BaseModel):
    """AwaitCustomer's invoked function (the wait's output is the customer's answer)."""

    awaiting: bool
    channel: str


class WorkflowPolicy(BaseModel):
    model_config = ConfigDict(extra="ignore")

    customerReplyTimeoutSeconds: int = 259200
    onCustomerSilence: SilencePolicy = "RETURN_TO_QUEUE"


class CustomerSilentInput(StepInput):
    policy: WorkflowPolicy = Field(default_factory=WorkflowPolicy)
    resolution: ResolutionResult


class ApplyDecisionInput(StepInput):
    decision: TaskDecision
    resolution: ResolutionResult


class NotifyInput(StepInput):
    notification: NotificationType


class NotificationFailedInput(StepInput):
    notifyFailure: CaughtError = Field(default_factory=CaughtError)
    notification: NotificationType | None = None


class TriagedRoute(BaseModel):
    classification: RoutedClassification | None = None


class RecordFailureInput(StepInput):
    failure: CaughtError = Field(default_factory=CaughtError)
    failedStep: FailedStep = Field(default_factory=FailedStep)
    triage: TriagedRoute | None = None  # the route Triage chose, when it got that far


class SlaExpiredInput(StepInput):
    resolution: ResolutionResult
    startFailure: CaughtError | None = None
    clockFailure: CaughtError | None = None  # ClockDue failed after its retries: the wait ended all the same


class ClockDueInput(StepInput):
    """ClockDue reads the case's open task (its clocks as they are now, an extension included)."""


class StepUpFailedInput(StepInput):
    stepUpFailure: CaughtError = Field(default_factory=CaughtError)


# ---- what each state's function answers (at the state's ResultPath) ----------------------------
# Verify, Classify, Resolve, ApplyDecision, SlaExpired, StepUpFailed and RecordFailure answer the
# models above (VerificationResult, ClassificationResult, ResolutionResult).


class NotificationOutcome(BaseModel):
    """Notify (and Survey): what was sent, or why nothing was; the case keeps the full record."""

    type: NotificationType
    # PENDING: not sent yet (Triage could not send it now): the workflow's NotifyReceived state does
    status: Literal["SENT", "ALREADY_SENT", "NO_DESTINATION", "SKIPPED", "PENDING"]
    channel: str | None = None
    to: str | None = None  # masked
    at: str | None = None


class DeliveryFailureRecorded(BaseModel):
    """Record*NoticeFailure: the failed notice is on the case and, for ops, on the dead-letter queue."""

    recorded: bool
    type: str
    error: str
    status: Literal["FAILED"] = "FAILED"  # the notice, on the case


class CaseClosed(BaseModel):
    status: Literal["CLOSED"]


class TriageInput(StepInput):
    """Triage: a new contact (`verification` absent), or the same contact understood again after the
    customer answered the clarifying question (the first triage's `verification` and `received`: the
    customer is not identified or told twice)."""

    verification: VerificationResult | None = None
    received: NotificationOutcome | DeliveryFailureRecorded | None = None


class TriageResult(BaseModel):
    """Triage: the "received" notice (PENDING when it could not go out yet: the NotifyReceived state
    sends it), who the customer is, what they need, and whether this contact joined their open case."""

    received: NotificationOutcome | DeliveryFailureRecorded
    verification: VerificationResult
    classification: ClassificationResult
    repeat: RepeatContactResult


class TaskOpened(BaseModel):
    """Escalate (HumanTask/SupervisorTask's invoked function; the wait's output is the decision)."""

    taskId: str
    queue: Queue
    slaDueAt: str


class CodeSent(BaseModel):
    """StepUpVerification's invoked function (the wait's output is the code check's)."""

    codeSentBy: str | None
    status: str


class SlaBreach(BaseModel):
    slaBreached: bool
