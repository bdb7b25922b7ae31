"""The case as the API shows it: masked destinations, redacted free text, no tokens or hashes.

Before the customer is AUTHENTICATED their own view tells nothing that depends on whether their
contact details are on file: the level reads NONE (IDENTIFIED is a match, not a proof), timeline
entries read the same per stage, and no notifications are listed nor their timeline steps (where they
went, how many and whether they went at all depends on the file). Agents see everything, masked."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from ..adapters.repository.tasks import TaskRepository
from ..desk.tasks import task_view
from ..text.templates import choices_text, need_name, render, timeline_text
from .errors import TaskNotFound
from .masking import redact_text
from .models import CaseView, ClarifyingQuestion, NotificationView, QuestionChoice, TimelineEntry


def build_view(case: dict[str, Any], tasks: TaskRepository | None = None, for_agent: bool = False) -> CaseView:
    task_repo = tasks or TaskRepository()
    task_views = []
    for task_id in case.get("tasks", []):
        with suppress(TaskNotFound):  # a missing task must not hide the case
            task_views.append(task_view(task_repo.get(task_id)))
    if not for_agent:  # customers see that a team has it, not the internal evidence
        task_views = [
            t.model_copy(
                update={
                    "evidence": [],
                    "claimedBy": None,
                    "conversation": [c.model_copy(update={"agentId": None}) for c in t.conversation],
                }
            )
            for t in task_views
        ]
    level = (case.get("verification") or {}).get("level", "NONE")
    proven = for_agent or level == "AUTHENTICATED"
    notifications = [
        NotificationView(**{k: n.get(k) for k in NotificationView.model_fields}) for n in case.get("notifications", [])
    ]
    timeline = [TimelineEntry(**{**t, "detail": redact_text(t["detail"])}) for t in case.get("timeline", [])]
    if not proven:  # whether and where messages went depends on what is on file: not shown yet
        notifications = []
        language = case.get("language") or "en"
        timeline = [
            t.model_copy(update={"detail": timeline_text(t.stage, language)})
            for t in timeline
            if t.stage != "notification"  # how many went out tells whether the contact is on file
        ]
    return CaseView(
        caseId=case["caseId"],
        channel=case["channel"],
        status=case["status"],
        intent=case.get("intent"),
        secondaryIntent=case.get("secondaryIntent"),
        confidence=case.get("confidence"),
        priority=case.get("priority"),
        language=case.get("language"),
        verification={"level": level if proven else "NONE"},
        queue=case.get("queue"),
        resolution=redact_text(case["resolution"]) if case.get("resolution") else None,
        tasks=task_views,
        notifications=notifications,
        messages=[{"at": m["at"], "from": m["from"], "text": redact_text(m["text"])} for m in case.get("messages", [])],
        timeline=timeline,
        repeatContacts=case.get("repeatContacts"),
        mergedInto=case.get("mergedInto") if for_agent else None,  # the customer's own view: customers.py
        question=_question(case),
    )


def _question(case: dict[str, Any]) -> ClarifyingQuestion | None:
    """The clarifying question while it waits for its answer (Classify settles it)."""
    asked = case.get("clarify")
    if not asked or asked.get("settled"):
        return None
    language = case.get("language") or "en"
    choices = list(asked["choices"])
    text = render("clarify_question", language, "chat", choices=choices_text(choices, language)).body
    return ClarifyingQuestion(
        text=text,
        choices=[
            QuestionChoice(number=n, intent=intent, label=need_name(intent, language))
            for n, intent in enumerate(choices, 1)
        ],
    )
