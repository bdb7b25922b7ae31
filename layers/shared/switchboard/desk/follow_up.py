"""Surveys with consequences: a low score (policy surveyFollowUp.maxScore) opens a follow-up task for
the supervisors with the comment and the case history. No workflow waits on it (no task token):
completing it records the outcome on the case (desk/tasks.py). One per survey: its id is the case's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..adapters.repository.cases import CaseRepository, timeline_entry
from ..adapters.repository.tasks import TaskRepository
from ..domain.clock import iso, now
from ..domain.masking import redact_text
from ..domain.routing import policy, queue_sla_seconds

HISTORY_ENTRIES = 40  # the latest timeline entries the follow-up carries


def follow_up_task_id(case_id: str) -> str:
    return f"{case_id}-SURVEY"


def max_score() -> int:
    return int(policy()["surveyFollowUp"]["maxScore"])


class SurveyFollowUps:
    def __init__(self, cases: CaseRepository | None = None, tasks: TaskRepository | None = None) -> None:
        self.cases = cases or CaseRepository()
        self.tasks = tasks or TaskRepository()

    def open_for(self, case_id: str) -> str | None:
        """The follow-up task of the case's survey when its score calls for one (its id; else None).
        Safe to repeat: the task is written once, and put on the case once."""
        case = self.cases.get(case_id)
        feedback = case.get("feedback") or {}
        if not feedback or int(feedback["score"]) > max_score():
            return None
        task_id = follow_up_task_id(case_id)
        score = int(feedback["score"])
        comment = redact_text(feedback.get("comment") or "")
        queue = policy()["supervisors"]["queue"]
        history = [
            {"at": t["at"], "stage": t["stage"], "detail": redact_text(t["detail"]), "actor": t.get("actor", "system")}
            for t in case.get("timeline", [])[-HISTORY_ENTRIES:]
        ]
        task: dict[str, Any] = {
            "taskId": task_id,
            "caseId": case_id,
            "queue": queue,
            "priority": "high",
            "slaDueAt": iso(now() + timedelta(seconds=queue_sla_seconds(queue))),
            "summary": f"survey {score}/5 on a case of {case.get('queue') or 'no queue'} "
            f"({case.get('intent') or 'unclassified'}): {comment or 'no comment'}",
            "reason": f"customer rated the case {score}/5",
            "evidence": [
                {"kind": "survey", "score": score, "comment": comment or None},
                {"kind": "history", "timeline": history, "resolution": redact_text(case.get("resolution") or "")},
            ],
            "tier": "supervisor",
            "kind": "survey_follow_up",
            "intent": case.get("intent"),
            "language": case.get("language"),
            "createdAt": iso(),
        }
        self.tasks.create(task)  # False when a retry wrote it already: the same task
        if task_id not in case.get("tasks", []):
            try:
                self.cases.update(
                    case_id,
                    append={"tasks": [task_id]},
                    timeline=[
                        timeline_entry("followup", f"survey {score}/5: follow-up task {task_id} for the supervisors")
                    ],
                    condition="NOT contains(#tasks, :task)",
                    condition_values={":task": task_id},
                    condition_names={"#tasks": "tasks"},
                )
            except self.cases.client.exceptions.ConditionalCheckFailedException:
                pass  # a concurrent retry put it on the case
        return task_id
