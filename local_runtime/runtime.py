"""LocalRuntime: starts moto, deploys template.yaml into it (provision.py, functions.py), loads the
seed, and waits on the workflow for the demo and the tests."""

from __future__ import annotations

import gc
import logging
import os
import re
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from . import eventbridge, lambda_hook, moto_patches, provision, template
from .functions import function_environment, register_functions
from .provision import ACCOUNT, REGION
from .seed_file import load_seed_file

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = ROOT / "template.yaml"
DEFAULT_SEED = ROOT / "local_runtime" / "seed.json"
INBOUND_SMS_TOPIC = "InboundSmsTopic"  # the template's two-way SMS topic (logical id)
LOCAL_ORIGINATION_NUMBER = "+8610695500"  # the number customers text back to, locally
MOTO_ENGINE_LOGGER = "moto.stepfunctions.parser"  # moto's Step Functions engine (the ASL interpreter)
__all__ = [
    "ACCOUNT",
    "DEFAULT_SEED",
    "INBOUND_SMS_TOPIC",
    "LOCAL_ORIGINATION_NUMBER",
    "REGION",
    "ROOT",
    "LocalRuntime",
    "resolve_time",
]

# A case allocates tens of thousands of short-lived containers (botocore and moto build and parse dicts for
# each of its 37 AWS calls). At Python's default (a young collection every 2,000) survivors of several
# collections a case were promoted and walked again by the older generations; at 100,000 most die young
# first. Bench section 3: the collector's share of the process's CPU fell from 6-8% to about 4% (timed with
# a gc callback), a case's CPU in units of the cheapest call from a median 122 to 110 (4 alternating runs).
YOUNG_GENERATION_THRESHOLD = 100_000

# Local parameter values: time-based parts run in seconds so a demo or a test sees them happen.
LOCAL_PARAMETERS = {
    "Stage": "local",
    "OtpTimeoutSeconds": "30",
    "SurveyDelaySeconds": "1",
    "SlaSecondsOverride": "0",
    "CustomerReplyTimeoutSeconds": "120",
}


def resolve_time(value: str) -> str:
    """ISO-8601 as is, or `now-2d-5m` relative to now, so seeded periods ("yesterday") stay true."""
    if not value.startswith("now"):
        return value
    from datetime import timedelta

    from switchboard.domain.clock import iso, now

    units = {"d": "days", "h": "hours", "m": "minutes"}
    offset = timedelta()
    for amount, unit in re.findall(r"-(\d+)([dhm])", value):
        offset += timedelta(**{units[unit]: int(amount)})
    return iso(now() - offset)


class LocalRuntime:
    def __init__(
        self,
        template_path: str | Path = DEFAULT_TEMPLATE,
        seed_path: str | Path | None = DEFAULT_SEED,
        parameters: dict[str, str] | None = None,
    ) -> None:
        self.template_path = Path(template_path)
        self.template = template.load(self.template_path)
        self.seed_path = Path(seed_path) if seed_path else None
        self.parameter_overrides = {
            **LOCAL_PARAMETERS,
            "LocalIdentitiesFile": str(self.seed_path or ""),
            **(parameters or {}),
        }
        self.refs: dict[str, Any] = {}
        self.attrs: dict[tuple[str, str], Any] = {}
        self.functions: dict[str, lambda_hook.LocalFunction] = {}
        self._gc_thresholds: tuple[int, ...] | None = None  # the process's, while this runtime runs
        self.routes: list[dict[str, Any]] = []
        self.authorizers: dict[str, dict[str, Any]] = {}
        self.seed: dict[str, Any] = {}
        self.state_machine_arn = ""
        self._mock: Any = None
        self._env_before: dict[str, str | None] = {}
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self.events: eventbridge.Delivery | None = None

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> LocalRuntime:
        if self.seed_path:  # a bad seed file is refused, naming the field, before anything starts
            load_seed_file(self.seed_path)
        self._set_env(
            {
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_SESSION_TOKEN": "local",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": os.environ.get("POWERTOOLS_METRICS_DISABLED", "true"),
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            }
        )
        from moto import mock_aws

        # Lambda-only warnings that say nothing locally (no remaining-time clock, empty metric sets).
        warnings.filterwarnings("ignore", message="Couldn't determine the remaining time left")
        warnings.filterwarnings("ignore", message="No application metrics to publish")

        logging.getLogger(MOTO_ENGINE_LOGGER).setLevel(logging.NOTSET)  # quietened by the last stop
        moto_patches.serialize_dynamodb()
        moto_patches.sign_nothing(True)
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._mock.start()
        try:
            moto_patches.apply()
            eventbridge.install()
            self.events = eventbridge.start()
            self._reset_cached_state()
            self._assign_physical_ids()
            resolver = template.Resolver(self.refs, self.attrs, self.conditions())
            self._set_env(function_environment(self.template, resolver))
            provision.create_resources(self.resources, self.refs, self.attrs, resolver, self.client)
            self.client("ses").verify_email_identity(EmailAddress=self.parameter("SenderEmail"))
            self.functions = register_functions(self.template, self.refs, self.attrs, ROOT)
            self.state_machine_arn = provision.create_state_machine(
                self.resources, self.attrs, resolver, self.client("stepfunctions"), ROOT
            )
            self.routes, self.authorizers = provision.api_routes(self.resources)
            if self.seed_path:
                self.load_seed(self.seed_path)
            # What is loaded and deployed by now lives as long as the runtime: the cyclic collector
            # need not walk it (~700k objects, mostly moto's and the ASL's) on every full collection,
            # which otherwise lands on whichever request allocates at the time (tens of ms each).
            gc.freeze()
            self._gc_thresholds = gc.get_threshold()
            gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *self._gc_thresholds[1:])
        except BaseException:
            # `with` never reaches __exit__ when __enter__ raises: undo the mock, hook and environment
            # here, or the next runtime in this process inherits a half-started one.
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._mock is not None:
            self._stop_executions()
            eventbridge.stop()
            self._mock.stop()
            self._mock = None
        moto_patches.sign_nothing(False)
        gc.unfreeze()  # a stopped runtime's world may be collected again
        if self._gc_thresholds is not None:  # and the process collects as it did before
            gc.set_threshold(*self._gc_thresholds)
            self._gc_thresholds = None
        lambda_hook.clear()
        self._clients.clear()
        for key, value in self._env_before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._reset_cached_state()

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()

    # ---- template → moto (provision.py: names, resources, state machine, routes; functions.py) --

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template["Resources"]

    def parameter(self, name: str) -> str:
        spec = self.template.get("Parameters", {}).get(name, {})
        return str(self.parameter_overrides.get(name, spec.get("Default", "")))

    def conditions(self) -> dict[str, bool]:
        return template.evaluate_conditions(self.template.get("Conditions", {}), self.refs)

    def _assign_physical_ids(self) -> None:
        for name in self.template.get("Parameters", {}):
            self.refs[name] = self.parameter(name)
        provision.physical_ids(self.resources, self.refs, self.attrs, self.parameter("Stage") or "local")

    def deployed_environment(self) -> dict[str, str]:
        """The variables the template gives the functions (Globals and each function's own), resolved
        to this runtime's names, without starting moto: what `make bench` imports handlers under."""
        if not self.refs:
            self._assign_physical_ids()
        resolver = template.Resolver(self.refs, self.attrs, self.conditions())
        env = {**function_environment(self.template, resolver), "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}
        env["POWERTOOLS_LOG_LEVEL"] = "INFO"
        return env

    def client(self, service: str) -> Any:
        """One client per service for the runtime's life: making a client costs far more than a call,
        and the polls of wait_for() would otherwise make one each time."""
        client = self._clients.get(service)
        if client is None:
            with self._clients_lock:
                client = self._clients.get(service)
                if client is None:
                    import boto3

                    # stubs type client() per literal service name; callers here pass theirs as a str
                    session = boto3.session.Session()
                    client = self._clients[service] = session.client(service, region_name=REGION)  # type: ignore[call-overload]
        return client

    # ---- seed --------------------------------------------------------------------------------

    def load_seed(self, path: str | Path) -> None:
        from switchboard.adapters.repository.directory import CustomerDirectory, Ledger

        self.seed = load_seed_file(path)
        directory, ledger = CustomerDirectory(), Ledger()
        for customer in self.seed.get("customers", []):
            directory.put_customer(customer)
        for transaction in self.seed.get("transactions", []):
            ledger.put({**transaction, "createdAt": resolve_time(transaction["createdAt"])})
        # the agents' profiles, as their first sign-in would leave them: a supervisor may reassign to them
        from switchboard.adapters.repository.agents import AgentLoad, default_capacity

        profiles = AgentLoad()
        for agent in self.seed.get("agents", []):
            capacity = agent.get("capacity") or default_capacity()
            profiles.remember(agent["agentId"], agent["queues"], agent.get("languages", []), capacity)

    # ---- helpers for the demo, tests and the outbox -------------------------------------------

    def _set_env(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._env_before.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    @staticmethod
    def _reset_cached_state() -> None:
        from switchboard import config
        from switchboard.adapters import aws
        from switchboard.api import authorizer

        aws.reset_clients()
        moto_patches.reset()
        config.settings.cache_clear()
        authorizer.default_issuers.cache_clear()  # each runtime's template parameters name its issuers

    def executions(self) -> list[dict[str, Any]]:
        sfn = self.client("stepfunctions")
        return sfn.list_executions(stateMachineArn=self.state_machine_arn, maxResults=1000)["executions"]

    def _stop_executions(self, grace_seconds: float = 5.0) -> None:
        """Abort what is still running and let in-flight handlers finish, so no worker thread calls
        AWS after moto is gone. An execution stopped while it enters a state may log a States.Runtime
        warning with the whole state's dump (moto's evaluation skips a stopped execution's values, and
        the state then reads the wrong one off its stack): noise of the runtime's own stop, so moto's
        engine logs only what is critical from now until the next start."""
        logging.getLogger(MOTO_ENGINE_LOGGER).setLevel(logging.CRITICAL)
        sfn = self.client("stepfunctions")
        for execution in self.executions():
            if execution["status"] == "RUNNING":
                try:
                    sfn.stop_execution(executionArn=execution["executionArn"], cause="local runtime stopped")
                except AttributeError:  # moto's worker has not begun this execution: nothing runs yet to stop
                    continue
        deadline = time.monotonic() + grace_seconds
        while lambda_hook.in_flight() and time.monotonic() < deadline:
            time.sleep(0.05)

    def wait_for(self, predicate: Any, timeout: float = 20.0, interval: float = 0.05, what: str = "condition") -> Any:
        """Poll until predicate() is truthy; answer its value. Raises TimeoutError naming `what`."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            time.sleep(interval)

    def execution_arn(self, case_id: str) -> str:
        return self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{case_id}"

    def execution(self, case_id: str) -> dict[str, Any]:
        return self.client("stepfunctions").describe_execution(executionArn=self.execution_arn(case_id))

    def wait_for_execution(self, case_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """Woken when this execution ends (no 50 ms DescribeExecution polls: they cost the engine's CPU)."""
        finished = moto_patches.wait_until_finished(
            lambda: (lambda e: e if e["status"] != "RUNNING" else None)(self.execution(case_id)),
            deadline=time.monotonic() + timeout,
            execution_arn=self.execution_arn(case_id),
            safety_poll=2.0,  # its end wakes this wait; the poll only covers an end moto never reports
        )
        if finished is None:
            raise TimeoutError(f"timed out after {timeout}s waiting for execution {case_id} to finish")
        return finished

    def deliver_events(self, timeout: float = 20.0) -> None:
        """Wait until the bus's rules delivered every event put so far to their functions."""
        if self.events is not None:
            self.events.drain(timeout)

    def replay_archive(self, archive_logical_id: str = "CaseEventArchive", timeout: float = 30.0) -> str:
        """Replay the whole archive onto its bus (StartReplay, as an operator would) and wait for delivery."""
        import uuid
        from datetime import UTC, datetime

        events = self.client("events")
        archive = events.describe_archive(ArchiveName=self.refs[archive_logical_id])
        name = f"replay-{uuid.uuid4().hex[:12]}"
        events.start_replay(
            ReplayName=name,
            EventSourceArn=archive["ArchiveArn"],
            EventStartTime=datetime(2000, 1, 1, tzinfo=UTC),
            EventEndTime=datetime.now(UTC),
            Destination={"Arn": archive["EventSourceArn"]},
        )
        self.deliver_events(timeout)
        return name

    def subscribers(self, topic_logical_id: str) -> list[str]:
        """The functions the template subscribes to a topic (their SNS events)."""
        return [
            logical_id
            for logical_id, resource in self.resources.items()
            if resource["Type"] == "AWS::Serverless::Function"
            for event in (resource["Properties"].get("Events") or {}).values()
            if event["Type"] == "SNS" and event["Properties"].get("Topic") == {"Ref": topic_logical_id}
        ]

    def publish(self, topic_logical_id: str, message: str) -> tuple[str, list[Any]]:
        """Publish to a template topic (moto keeps it) and deliver it as SNS does to every function the
        template subscribes to it, with the event SNS sends; answers the message id and their answers."""
        from switchboard.domain.clock import iso

        arn = self.refs[topic_logical_id]
        message_id = self.client("sns").publish(TopicArn=arn, Message=message)["MessageId"]
        record = {
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": f"{arn}:local-subscription",
            "Sns": {
                "Type": "Notification",
                "MessageId": message_id,
                "TopicArn": arn,
                "Subject": None,
                "Message": message,
                "Timestamp": iso(),
                "SignatureVersion": "1",
                "Signature": "",
                "SigningCertUrl": "",
                "UnsubscribeUrl": "",
                "MessageAttributes": {},
            },
        }
        answers = [
            lambda_hook.invoke(self.functions[logical_id], {"Records": [record]})[0]
            for logical_id in self.subscribers(topic_logical_id)
        ]
        return message_id, answers

    def inbound_sms(self, sender: str, body: str) -> tuple[str, list[Any]]:
        """A customer's text to the origination number, as End User Messaging two-way SMS publishes it."""
        import json
        import uuid

        message = {
            "originationNumber": sender,
            "destinationNumber": LOCAL_ORIGINATION_NUMBER,
            "messageKeyword": "KEYWORD_" + ACCOUNT,
            "messageBody": body,
            "inboundMessageId": str(uuid.uuid4()),
            "previousPublishedMessageId": None,
        }
        return self.publish(INBOUND_SMS_TOPIC, json.dumps(message, ensure_ascii=False))

    def outbox(self) -> list[dict[str, Any]]:
        from .outbox import collect

        return collect(self)
