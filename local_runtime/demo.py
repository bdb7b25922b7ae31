"""`make demo`: every sample contact in events/ through the real template and state machine.

The demo plays each role in turn: the channels post their contacts, customers read their one-time
code "on the phone" (the local outbox) and enter it, agents work their queues, and at the end each
case's journey and every message sent are printed."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from .client import LocalClient
from .runtime import DEFAULT_SEED, ROOT, LocalRuntime

EVENTS = ROOT / "events"
CONTACT_EVENTS = sorted((EVENTS / "api").glob("contact_*.json"))
CONNECT_EVENT = EVENTS / "connect" / "contact_flow_account_locked.json"
AGENT_PLAYBOOK = {
    # queue -> what the agent does with a task there
    "payments": "approve the refund the evidence suggests",
    "disputes": "block the card and open a chargeback (the actions record both; the notice lists them)",
    "complaints": "ask the customer a question, read the answer, apologise",
    "account_support": "check identity and unlock",
    "general": "answer the question",
}


def _print(text: str = "") -> None:
    print(text, flush=True)


class Demo:
    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime
        self.client = LocalClient(runtime)
        self.cases: dict[str, dict[str, Any]] = {}  # caseId -> {"label", "token"}

    def post_contacts(self) -> None:
        for path in CONTACT_EVENTS:
            answer = self.client.send_event_file(path)
            body = answer.json()
            label = path.stem.removeprefix("contact_")
            _print(f"  {label:<28} {answer.status} {body.get('caseId')} {body.get('status')}")
            self.cases[body["caseId"]] = {"label": label, "token": body.get("caseToken")}
        event = json.loads(CONNECT_EVENT.read_text(encoding="utf-8"))
        function = self.runtime.functions["ConnectContactFunction"]
        from .lambda_hook import invoke

        started = time.perf_counter()
        answer, error = invoke(function, event)
        took = (time.perf_counter() - started) * 1000
        if error:
            raise SystemExit(f"Connect function failed: {answer}")
        _print(
            f"  {'connect_account_locked':<28} {answer['nextAction']} {answer['caseId']} in {took:.0f} ms: {answer['prompt']}"
        )
        self.cases[answer["caseId"]] = {"label": "connect_account_locked", "token": None, "connect": True}

    def _case(self, case_id: str) -> dict[str, Any]:
        return self.client.request(
            "GET", f"/cases/{case_id}", headers={"Authorization": "Bearer local-supervisor-zhao"}
        ).json()

    def enter_codes(self) -> None:
        """Customers whose request needs a code read it from their phone or inbox and enter it."""
        for case_id, info in self.cases.items():
            try:
                self.runtime.wait_for(
                    lambda c=case_id: (
                        self._case(c)["status"] in ("AWAITING_CUSTOMER", "ESCALATED", "RESOLVED", "CLOSED")
                    ),
                    timeout=20,
                    what=f"{case_id} to settle",
                )
            except TimeoutError:
                continue
            if self._case(case_id)["status"] != "AWAITING_CUSTOMER":
                continue
            code = self._code_from_outbox(case_id)
            if info.get("connect"):
                event = json.loads((EVENTS / "connect" / "contact_flow_code_entered.json").read_text(encoding="utf-8"))
                event["Details"]["Parameters"] = {"caseId": case_id, "code": code}
                from .lambda_hook import invoke

                answer, _ = invoke(self.runtime.functions["ConnectContactFunction"], event)
                _print(f"  {case_id} caller keyed in the code on the phone: {answer['prompt']}")
            else:
                answer = self.client.request(
                    "POST",
                    f"/cases/{case_id}/verification",
                    {"code": code},
                    {"Authorization": f"Bearer {info['token']}"},
                )
                _print(f"  {case_id} customer entered the code: {answer.status} {answer.body}")

    def _code_from_outbox(self, case_id: str) -> str:
        def find() -> str | None:
            for message in self.runtime.outbox():
                if message["caseId"] == case_id and message["type"] == "verification_code":
                    found = re.search(r"(?<!\d)(\d{6})(?!\d)", message["body"])
                    if found:
                        return found.group(1)
            return None

        return self.runtime.wait_for(find, timeout=10, what=f"a code message for {case_id}")

    def work_queues(self) -> None:
        """Each agent takes the open tasks of their queues, as they would in the agent desktop."""
        agents = {a["agentId"]: a for a in self.runtime.seed["agents"] if "supervisors" not in a["queues"]}
        expected = len(self.cases)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pending = [c for c in self.cases if self._case(c)["status"] not in ("RESOLVED", "CLOSED")]
            if not pending:
                break
            worked = False
            for agent in agents.values():
                headers = {"Authorization": f"Bearer {agent['token']}"}
                for task in self.client.request("GET", "/tasks", headers=headers).json()["tasks"]:
                    worked = True
                    self._work(agent, task, headers)
            if not worked:
                time.sleep(0.2)
        _print(f"  {expected} cases, all resolved or closed: {not pending}")

    def _work(self, agent: dict[str, Any], task: dict[str, Any], headers: dict[str, str]) -> None:
        self.client.request("POST", f"/tasks/{task['taskId']}/claim", headers=headers)
        if task["queue"] == "complaints" and self.cases.get(task["caseId"], {}).get("token"):
            self._ask_the_customer(agent, task, headers)
        actions = [  # what the evidence suggests: a refund, or blocking the card and a chargeback
            {"type": action, "transactionId": e["transactionId"]}
            for e in task.get("evidence", [])
            for action in e.get("suggestedActions") or [e.get("suggestedAction")]
            if action
        ]
        if task["queue"] == "account_support":
            actions.append({"type": "UNLOCK_ACCOUNT"})
        resolution = {
            "payments": "退款已批准,款项将在3个工作日内退回原账户。"
            if actions
            else "We checked the payment with the merchant.",
            "disputes": "We reviewed the charge you reported with you.",
            "complaints": "We called you back, apologised, and coached the agent involved.",
        }.get(task["queue"], "We answered your question.")
        answer = self.client.request(
            "POST",
            f"/tasks/{task['taskId']}/complete",
            {"outcome": "RESOLVED", "resolution": resolution, "actions": actions},
            headers,
        )
        _print(
            f"  {agent['agentId']:<12} {task['queue']:<16} {task['taskId']} {task['priority']:<7} -> {answer.status} "
            f"({AGENT_PLAYBOOK.get(task['queue'], '')}{'; ' + ', '.join(a['type'] for a in actions) if actions else ''})"
        )

    def _ask_the_customer(self, agent: dict[str, Any], task: dict[str, Any], headers: dict[str, str]) -> None:
        """The agent asks before resolving; the customer reads the question (the outbox) and answers
        with their case token; the same task comes back to the agent."""
        case_id = task["caseId"]
        question = "Which day and time did the agent hang up on you? We want to find the call recording."
        asked = self.client.request("POST", f"/tasks/{task['taskId']}/messages", {"text": question}, headers)
        _print(f"  {agent['agentId']:<12} {task['queue']:<16} {task['taskId']} asks the customer -> {asked.status}")
        sent = self.runtime.wait_for(
            lambda: next(
                (m for m in self.runtime.outbox() if m["caseId"] == case_id and m["type"] == "agent_message"), None
            ),
            timeout=20,
            what=f"the agent's question to the customer of {case_id}",
        )
        words = next((line for line in sent["body"].splitlines() if line.startswith(question[:20])), question)
        _print(f"  customer of {case_id} receives by {sent['channel']} ({sent['subject'] or 'no subject'}): {words}")
        answer = self.client.request(
            "POST",
            f"/cases/{case_id}/messages",
            {"text": "Yesterday at about 15:20, I called twice from my mobile."},
            {"Authorization": f"Bearer {self.cases[case_id]['token']}"},
        )
        _print(f"  customer of {case_id} answers on the case: {answer.status} {answer.body}")
        self.runtime.wait_for(
            lambda: any(
                t["taskId"] == task["taskId"] and t["status"] == "CLAIMED"
                for t in self.client.request("GET", "/tasks", headers=headers).json()["tasks"]
            ),
            timeout=20,
            what=f"task {task['taskId']} back with {agent['agentId']}",
        )

    def wait_until_done(self) -> None:
        for case_id in self.cases:
            self.runtime.wait_for_execution(case_id, timeout=60)

    def print_journeys(self) -> None:
        for case_id, info in self.cases.items():
            case = self._case(case_id)
            execution = self.runtime.execution(case_id)
            _print(f"\n■ {case_id}  [{info['label']}]  channel={case['channel']} language={case['language']}")
            _print(
                f"  intent={case['intent']} confidence={case['confidence']} priority={case['priority']} "
                f"verification={case['verification']['level']} queue={case['queue']} status={case['status']} "
                f"workflow={execution['status']}"
            )
            for entry in case["timeline"]:
                _print(
                    f"    {entry['at'][11:23]} {entry['stage']:<13} {entry['actor']:<18} {entry['detail'].splitlines()[0][:110]}"
                )
            if case.get("resolution"):
                _print(f"  outcome: {case['resolution'].splitlines()[0][:140]}")
            sent = ", ".join(f"{n['type']}→{n['channel']}:{n['to']}" for n in case["notifications"])
            _print(f"  notifications: {sent}")

    def answer_surveys(self) -> None:
        """Customers who hold a case token answer the survey sent at closing (a 1 opens a follow-up)."""
        scores = [5, 4, 1, 5, 3]
        holders = [(c, i["token"]) for c, i in self.cases.items() if i.get("token")]
        for (case_id, token), score in zip(holders, scores, strict=False):
            answer = self.client.request(
                "POST", f"/cases/{case_id}/feedback", {"score": score}, {"Authorization": f"Bearer {token}"}
            )
            _print(f"  {case_id} rated {score}/5 -> {answer.status}")

    def print_report(self) -> None:
        """GET /reports as a supervisor, over today (China Standard Time): the picture of these cases."""
        from switchboard.domain.clock import now
        from switchboard.reports.projection import CHINA

        self.runtime.deliver_events()  # the bus's rule has delivered every case event to the projection
        today = now().astimezone(CHINA).date().isoformat()
        supervisor = {"Authorization": "Bearer local-supervisor-zhao"}
        answer = self.client.request("GET", "/reports", headers=supervisor, query=f"from={today}&to={today}")
        r = answer.json()
        _print(f"\n== The centre today (GET /reports?from={today}&to={today}, {answer.status}) ==")
        _print(f"  contacts by channel   {r['contactsByChannel']}   by language {r['contactsByLanguage']}")
        c, f = r["containment"], r["firstContactResolution"]
        _print(f"  containment           {c['contained']}/{c['cases']} = {_pct(c['rate'])}")
        _print(f"  first-contact res.    {f['firstContact']}/{f['resolved']} = {_pct(f['rate'])}")
        _print(f"  escalations by queue  {r['escalationsByQueue']}")
        for level in r["serviceLevel"]:
            _print(
                f"  service level         {level['queue']:<16} {level['clock']:<13} "
                f"{level['met']} met, {level['breached']} breached = {_pct(level['rate'])}"
            )
        for name in ("firstResponse", "handling"):
            d = r[name]
            _print(f"  {name:<21} n={d['count']} median {d['medianSeconds']} s, p90 {d['p90Seconds']} s")
        _print(f"  backlog               {[(b['queue'], b['age'], b['tasks']) for b in r['backlog']] or 'none'}")
        s = r["csat"]
        _print(
            f"  CSAT                  {s['distribution']} average {s['average']}, "
            f"{s['answered']}/{s['closed']} answered = {_pct(s['responseRate'])}"
        )
        k = r["complaints"]
        _print(
            f"  complaints            {k['count']} {k['byType']}, closed {_pct(k['shareClosed'])}, "
            f"median {k['medianHandlingDays']} d, max {k['maxHandlingDays']} d, "
            f"within the regulatory clock {_pct(k['shareWithinRegulatory'])}"
        )
        table = self.client.request("GET", "/reports/complaints", headers=supervisor, query=f"year={today[:4]}")
        _print(f"  GET /reports/complaints?year={today[:4]} ({table.status}, CSV):")
        for line in table.body.strip().splitlines():
            _print(f"    {line}")

    def print_outbox(self) -> None:
        _print("\n== Outbox (GET /local/outbox): every message as the customer received it ==")
        for message in self.runtime.outbox():
            subject = f" [{message['subject']}]" if message.get("subject") else ""
            body = message["body"].replace("\n", " ⏎ ")
            _print(
                f"  {message['at'][11:19]} {message['caseId']} {message['type']:<17} {message['channel']:<5} → {message['to']}{subject}: {body[:160]}"
            )


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.0f} %"


def run_demo(seed: str | None = None) -> int:
    started = time.perf_counter()
    with LocalRuntime(seed_path=Path(seed) if seed else DEFAULT_SEED) as runtime:
        demo = Demo(runtime)
        _print(
            f"Local runtime: {len(runtime.functions)} functions, state machine {runtime.state_machine_arn.split(':')[-1]}, "
            f"{len(runtime.routes)} API routes, from template.yaml"
        )
        _print("\n== Channels post their contacts ==")
        demo.post_contacts()
        _print("\n== Customers enter the one-time codes sent to their contact on file ==")
        demo.enter_codes()
        _print("\n== Agents work their queues ==")
        demo.work_queues()
        demo.wait_until_done()
        _print("\n== Case journeys ==")
        demo.print_journeys()
        demo.print_outbox()
        _print("\n== Customers answer the satisfaction survey ==")
        demo.answer_surveys()
        demo.print_report()
    _print(f"\nDemo finished in {time.perf_counter() - started:.1f} s")
    return 0
