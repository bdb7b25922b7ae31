"""The chaos run: contacts over every path (auto-resolved, one-time code, escalated, completed by an
agent) while one AWS operation fails a share of its calls (local_runtime.faults). Channels and agents
behave like real clients: they retry a 409 (in progress), 429 or 5xx a few times, then give up.

Figures per run: contacts, calls and faults injected, contacts never answered 202, cases lost (an
accepted case without its item or its execution), stuck (on the stuck-cases queue, an execution that
failed, or not settled by the deadline), notices recorded FAILED, and notices silently missing."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from itertools import count
from typing import Any
from urllib.parse import quote

from . import faults
from .client import LocalClient
from .runtime import ROOT, LocalRuntime

PATHS = ("auto", "code", "escalated", "completed")
CLIENT_ATTEMPTS = 8  # a channel's or an agent's retries of one request
RETRYABLE = {409, 429, 500, 502, 503, 504}
SUPERVISOR = {"Authorization": "Bearer local-supervisor-zhao"}  # the seed's supervisor sees every queue
IVR = {"Authorization": "Bearer local-ivr-phone"}  # the seed's phone channel client posts phone contacts
POLL_SECONDS = 1.0
_runs = count(1)


@dataclass
class Journey:
    index: int
    path: str
    case_id: str | None = None
    token: str | None = None
    answered: bool = False
    code_entered: bool = False
    completed: bool = False
    settled: str | None = None  # "succeeded" | "open-task" | "failed" | None (deadline passed)
    errors: list[str] = field(default_factory=list)


@dataclass
class ChaosReport:
    fault: str
    contacts: int
    calls: int
    faults_injected: int
    unanswered: int
    lost: int
    stuck: int
    failed_notifications: int
    silent_notifications: int
    paths: dict[str, int]
    seconds: float

    def line(self) -> str:
        return (
            f"{self.fault:<22} contacts {self.contacts:>4}  faults {self.faults_injected:>4}/{self.calls:<5} "
            f"unanswered {self.unanswered}  lost {self.lost}  stuck {self.stuck}  "
            f"failed notifications {self.failed_notifications}  silent {self.silent_notifications}  "
            f"({self.seconds:.0f} s)"
        )


def _event_body(name: str) -> dict[str, Any]:
    return json.loads(json.loads((ROOT / "events" / "api" / f"{name}.json").read_text(encoding="utf-8"))["body"])


class ChaosRun:
    def __init__(self, runtime: LocalRuntime, fault: str, contacts: int, rate: float, seed: int) -> None:
        self.runtime = runtime
        self.client = LocalClient(runtime)
        self.fault = fault
        self.contacts = contacts
        self.rate = rate
        self.seed = seed
        self.run = next(_runs)
        self.ddb = runtime.client("dynamodb")
        self.plan: faults.FaultPlan | None = None

    # ---- a client that retries like a real one --------------------------------------------------

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, query: str = ""
    ) -> Any:
        answer = None
        for attempt in range(CLIENT_ATTEMPTS):
            answer = self.client.request(method, path, body, headers, query)
            if answer.status not in RETRYABLE:
                return answer
            time.sleep(min(0.1 * 2**attempt, 1.0))  # a client's backoff before its retry
        return answer

    # ---- observations: one look at everything per round, never faulted ---------------------------

    # what a journey's next step reads of each item: a round's scan carries only these, not whole cases
    # (a table holding every earlier run's cases, timelines included, made each round slower than the last)
    _POLLED = {"CasesTable": ("caseId", ["openTaskId", "status"]), "TasksTable": ("taskId", ["status", "queue"])}

    def _scan(self, table: str) -> dict[str, dict[str, Any]]:
        from switchboard.adapters.dynamo import unmarshal

        key, fields = self._POLLED[table]
        names = {f"#a{i}": name for i, name in enumerate([key, *fields])}
        items: dict[str, dict[str, Any]] = {}
        with faults.exempt():
            pages = self.ddb.get_paginator("scan").paginate(
                TableName=self.runtime.refs[table],
                ProjectionExpression=", ".join(names),
                ExpressionAttributeNames=names,
            )
            for page in pages:
                for item in page["Items"]:
                    found = unmarshal(item)
                    items[found[key]] = found
        return items

    def case(self, case_id: str) -> dict[str, Any] | None:
        from switchboard.adapters.dynamo import unmarshal

        with faults.exempt():
            found = self.ddb.get_item(TableName=self.runtime.refs["CasesTable"], Key={"caseId": {"S": case_id}})
        return unmarshal(found.get("Item"))

    def execution_statuses(self) -> dict[str, str]:
        return {e["name"]: e["status"] for e in self.runtime.executions()}

    def code_for(self, phone: str) -> str | None:
        import re

        from moto.sns.models import sns_backends

        from .runtime import ACCOUNT, REGION

        texts = [text for to, text in list(sns_backends[ACCOUNT][REGION].sms_messages.values()) if to == phone]
        found = [re.search(r"(?<!\d)\d{6}(?!\d)", text) for text in texts]
        codes = [m.group(0) for m in found if m]
        return codes[-1] if codes else None

    # ---- the journeys -----------------------------------------------------------------------------

    def phone(self, index: int) -> str:
        return f"+8617{self.run % 100:02d}{index:07d}"

    def email(self, index: int) -> str:
        return f"chaos-{self.run}-{index}@example.org"

    def seed_customers(self) -> None:
        """Each contact is a customer of their own, on file (messages go only to contacts on file), so
        their messages, codes and per-destination limits are theirs alone."""
        from switchboard.adapters.repository.directory import CustomerDirectory

        directory = CustomerDirectory()
        for index in range(self.contacts):
            directory.put_customer(
                {
                    "customerId": f"CX{self.run:03d}{index:04d}",
                    "name": f"Chaos Customer {index}",
                    "phone": self.phone(index),
                    "email": self.email(index),
                    "language": "zh-CN" if PATHS[index % len(PATHS)] == "code" else "en",
                    "accountStatus": "ACTIVE",
                    "accounts": [],
                }
            )

    def body(self, journey: Journey) -> dict[str, Any]:
        key = f"chaos-{self.run}-{self.fault}-{journey.index}"
        if journey.path == "auto":
            return {**_event_body("contact_web_product_info"), "submissionId": key, "email": self.email(journey.index)}
        if journey.path == "code":
            return {
                **_event_body("contact_phone_zh_transactions"),
                "contactId": key,
                "callerNumber": self.phone(journey.index),
            }
        return {**_event_body("contact_web_complaint"), "submissionId": key, "email": self.email(journey.index)}

    def open(self, journey: Journey) -> None:
        body = self.body(journey)
        answer = self.call("POST", "/contacts", body, IVR if body["channel"] == "phone" else None)
        if answer.status != 202:
            journey.errors.append(f"POST /contacts {answer.status} {answer.body[:200]}")
            return
        journey.answered = True
        journey.case_id, journey.token = answer.json()["caseId"], answer.json()["caseToken"]

    def next_step(
        self, journey: Journey, status: str | None, case: dict[str, Any] | None, tasks: dict[str, dict[str, Any]]
    ) -> Callable[[], None] | None:
        """Settle the journey if it has ended; else what the customer or the agent does next, if anything."""
        if status == "SUCCEEDED":
            journey.settled = "succeeded"
            return None
        if status in ("FAILED", "ABORTED", "TIMED_OUT"):
            journey.settled = "failed"
            return None
        if not case:
            return None
        task = tasks.get(case.get("openTaskId") or "", {})
        if task.get("status") in ("OPEN", "CLAIMED"):
            if journey.path == "escalated":  # settled once an agent sees it in their queue
                return lambda: self.see(journey, task)
            return lambda: self.complete(journey, task["taskId"])
        if journey.path == "code" and case.get("status") == "AWAITING_CUSTOMER" and not journey.code_entered:
            code = self.code_for(self.phone(journey.index))
            return (lambda: self.enter(journey, code)) if code else None
        return None

    def see(self, journey: Journey, task: dict[str, Any]) -> None:
        """The agent's view: page through the task's queue (GET /tasks) until the task shows."""
        token = ""
        while True:
            query = f"queue={task['queue']}" + (f"&nextToken={quote(token)}" if token else "")
            answer = self.call("GET", "/tasks", headers=SUPERVISOR, query=query)
            if answer.status != 200:
                journey.errors.append(f"GET /tasks: {answer.status} {answer.body[:160]}")
                return
            page = answer.json()
            if any(t["taskId"] == task["taskId"] for t in page["tasks"]):
                journey.settled = "open-task"
                return
            token = page.get("nextToken") or ""
            if not token:
                return

    def complete(self, journey: Journey, task_id: str) -> None:
        done = self.call(
            "POST", f"/tasks/{task_id}/complete", {"outcome": "RESOLVED", "resolution": "handled"}, SUPERVISOR
        )
        journey.completed = journey.completed or done.status == 200
        if done.status != 200:
            journey.errors.append(f"complete {task_id}: {done.status} {done.body[:160]}")

    def enter(self, journey: Journey, code: str) -> None:
        entered = self.call("POST", f"/cases/{journey.case_id}/verification", {"code": code}, self.bearer(journey))
        journey.code_entered = entered.status == 200
        if entered.status != 200:
            journey.errors.append(f"code: {entered.status} {entered.body[:160]}")

    @staticmethod
    def bearer(journey: Journey) -> dict[str, str]:
        return {"Authorization": f"Bearer {journey.token}"}

    # ---- the run ---------------------------------------------------------------------------------

    def stuck_messages(self) -> list[dict[str, Any]]:
        sqs = self.runtime.client("sqs")
        url = self.runtime.refs["StuckCasesQueue"]
        found: list[dict[str, Any]] = []
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
            if not got:
                return found
            for message in got:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def __call__(self, timeout: float = 240.0, workers: int = 32) -> tuple[ChaosReport, list[Journey]]:
        started = time.monotonic()
        self.seed_customers()
        journeys = [Journey(i, PATHS[i % len(PATHS)]) for i in range(self.contacts)]
        deadline = started + timeout
        operations = tuple(faults.OPERATIONS) if self.fault == "all" else (self.fault,)
        with faults.inject(operations, self.rate, self.seed) as plan, ThreadPoolExecutor(workers) as pool:
            self.plan = plan
            list(pool.map(self.open, journeys))  # the channels post at once, each retrying on its own
            pending = [j for j in journeys if j.answered]
            while pending and time.monotonic() < deadline:  # one look per round, then everyone acts at once
                statuses, cases, tasks = self.execution_statuses(), self._scan("CasesTable"), self._scan("TasksTable")
                steps = [
                    self.next_step(j, statuses.get(j.case_id or ""), cases.get(j.case_id or ""), tasks) for j in pending
                ]
                list(pool.map(lambda step: step(), [step for step in steps if step]))
                pending = [j for j in pending if not j.settled]
                time.sleep(POLL_SECONDS)
        return self.report(journeys, plan, time.monotonic() - started), journeys

    def report(self, journeys: list[Journey], plan: faults.FaultPlan, seconds: float) -> ChaosReport:
        ids = {j.case_id for j in journeys if j.case_id}
        stuck_ids = {m["caseId"] for m in self.stuck_messages() if m.get("caseId") in ids}
        lost = failed = silent = 0
        statuses = self.execution_statuses()
        for journey in journeys:
            if not journey.case_id:
                continue
            case = self.case(journey.case_id)
            if not case or journey.case_id not in statuses:
                lost += 1
                continue
            if journey.settled in (None, "failed"):
                stuck_ids.add(journey.case_id)
            notes = case.get("notifications", [])
            failed += sum(1 for n in notes if n.get("status") == "FAILED")
            silent += len(missing_notices(case, journey.settled))
        return ChaosReport(
            fault=self.fault,
            contacts=len(journeys),
            calls=sum(plan.calls.values()),
            faults_injected=sum(plan.injected.values()),
            unanswered=sum(1 for j in journeys if not j.answered),
            lost=lost,
            stuck=len(stuck_ids),
            failed_notifications=failed,
            silent_notifications=silent,
            paths={p: sum(1 for j in journeys if j.path == p) for p in PATHS},
            seconds=seconds,
        )


def missing_notices(case: dict[str, Any], settled: str | None) -> list[str]:
    """The notices this case's journey called for that are neither SENT nor recorded FAILED."""
    recorded = {n["type"] for n in case.get("notifications", []) if n.get("status") in ("SENT", "FAILED", "SKIPPED")}
    details = " ".join(t["detail"] for t in case.get("timeline", []))
    expected = {"received"}
    if case.get("tasks"):
        expected.add("escalated")
    if "one-time code requested" in details:
        expected.add("verification_code")
    if settled == "succeeded":
        expected.add("survey")
        if not recorded & {"resolved", "agent_resolution"}:
            expected.add("resolved")
    return sorted(expected - recorded)


def run_chaos(
    operations: list[str] | None = None,
    contacts: int = 100,
    rate: float = 0.2,
    seed: int = 112,
    timeout: float = 600.0,  # a bound, not a pace: the run ends when every journey has settled
    runtime: LocalRuntime | None = None,
    echo: Callable[[str], None] | None = None,
) -> list[ChaosReport]:
    """One chaos run per fault type on one runtime (a fresh one unless given)."""
    reports = []
    own = runtime is None
    runtime = runtime or LocalRuntime().start()
    try:
        for operation in operations or list(faults.OPERATIONS):
            report, journeys = ChaosRun(runtime, operation, contacts, rate, seed)(timeout)
            reports.append(report)
            if echo:
                echo(report.line())
            for journey in journeys:
                if not journey.answered or journey.settled in (None, "failed"):
                    print(
                        f"  {operation}: {journey.path} {journey.case_id} {journey.settled} {journey.errors}",
                        file=sys.stderr,
                    )
    finally:
        if own:
            runtime.stop()
    return reports


def main() -> int:  # `make chaos`
    import argparse

    parser = argparse.ArgumentParser(description="contacts over every path while AWS calls fail")
    parser.add_argument("--contacts", type=int, default=100)
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument(
        "--fault", action="append", choices=[*sorted(faults.OPERATIONS), "all"], help="'all': every one at once"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per fault type")
    args = parser.parse_args()
    print(f"chaos: {args.contacts} contacts per fault type, {args.rate:.0%} of each type's calls failing", flush=True)
    reports = run_chaos(args.fault, args.contacts, args.rate, echo=None if args.json else print)
    if args.json:
        for report in reports:
            print(json.dumps(asdict(report)))
    failed = [r.fault for r in reports if r.unanswered or r.lost or r.stuck or r.silent_notifications]
    if failed:  # ops run this to check a change: a bad figure fails the command, with the journeys on stderr
        print(f"chaos: cases unanswered, lost, stuck or silent under {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
