"""LocalRuntime: template.yaml's tables, topics, queues, functions, state machine and API on moto."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import threading
import time
import warnings
from functools import partial
from pathlib import Path
from typing import Any

from . import lambda_hook, moto_patches, template
from .seed_file import load_seed_file

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = ROOT / "template.yaml"
DEFAULT_SEED = ROOT / "local_runtime" / "seed.json"
ACCOUNT = "123456789012"
REGION = "us-east-1"

# Local parameter values: time-based parts run in seconds so a demo or a test sees them happen.
LOCAL_PARAMETERS = {"Stage": "local", "OtpTimeoutSeconds": "30", "SurveyDelaySeconds": "1", "SlaSecondsOverride": "0"}


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


def _load_handler(logical_id: str, module_path: Path, attr: str, number: int) -> Any:
    """Run a function's handler module as a fresh execution environment would, and answer its handler."""
    name = f"switchboard_fn_{logical_id}" + (f"_{number}" if number > 1 else "")
    spec = importlib.util.spec_from_file_location(name, module_path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{logical_id}: no handler module at {module_path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return getattr(module, attr)


def _serialize_dynamodb() -> None:
    """DynamoDB applies each (conditional) write to an item atomically; moto's in-memory backend
    checks the condition and writes in plain Python, so concurrent handlers on worker threads could
    both pass one condition, and a request serializing a live item while another thread writes it
    fails ("dictionary changed size during iteration"). One lock around each DynamoDB request moto
    answers gives the local runtime DynamoDB's per-request atomicity."""
    import threading

    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler, "_switchboard_serialized", False):
        return
    lock = threading.RLock()
    call_action = DynamoHandler.call_action

    def serialized(self: Any) -> Any:
        with lock:
            return call_action(self)

    DynamoHandler.call_action = serialized  # type: ignore[method-assign]  # the patch this function exists for
    DynamoHandler._switchboard_serialized = True  # type: ignore[attr-defined]  # our marker on moto's class


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
        self.routes: list[dict[str, Any]] = []
        self.authorizers: dict[str, dict[str, str]] = {}
        self.agents: dict[str, dict[str, Any]] = {}
        self.seed: dict[str, Any] = {}
        self.state_machine_arn = ""
        self._mock: Any = None
        self._env_before: dict[str, str | None] = {}
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()

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

        _serialize_dynamodb()
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._mock.start()
        try:
            moto_patches.apply()
            self._reset_cached_state()
            self._assign_physical_ids()
            resolver = template.Resolver(self.refs, self.attrs, self.conditions())
            self._set_env(self._function_environment(resolver))
            self._create_resources(resolver)
            self._register_functions()
            self._create_state_machine(resolver)
            self._collect_routes()
            if self.seed_path:
                self.load_seed(self.seed_path)
        except BaseException:
            # `with` never reaches __exit__ when __enter__ raises: undo the mock, hook and environment
            # here, or the next runtime in this process inherits a half-started one.
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._mock is not None:
            self._stop_executions()
            self._mock.stop()
            self._mock = None
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

    # ---- template → moto ---------------------------------------------------------------------

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template["Resources"]

    def parameter(self, name: str) -> str:
        spec = self.template.get("Parameters", {}).get(name, {})
        return str(self.parameter_overrides.get(name, spec.get("Default", "")))

    def conditions(self) -> dict[str, bool]:
        resolver = template.Resolver(self.refs, self.attrs, {})
        return {name: bool(resolver(expr)) for name, expr in self.template.get("Conditions", {}).items()}

    def _assign_physical_ids(self) -> None:
        for name in self.template.get("Parameters", {}):
            self.refs[name] = self.parameter(name)
        self.refs.update(
            {
                "AWS::Region": REGION,
                "AWS::AccountId": ACCOUNT,
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackName": "switchboard-local",
            }
        )
        stage = self.parameter("Stage") or "local"
        for logical_id, resource in self.resources.items():
            kind = resource["Type"]
            physical = f"switchboard-{stage}-{logical_id}"
            if kind == "AWS::DynamoDB::Table":
                self.refs[logical_id] = physical
                self.attrs[(logical_id, "Arn")] = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{physical}"
            elif kind == "AWS::SNS::Topic":
                arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{physical}"
                self.refs[logical_id] = arn
                self.attrs[(logical_id, "TopicName")] = physical
                self.attrs[(logical_id, "TopicArn")] = arn
            elif kind == "AWS::SQS::Queue":
                self.refs[logical_id] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{physical}"
                self.attrs[(logical_id, "QueueName")] = physical
                self.attrs[(logical_id, "Arn")] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{physical}"
            elif kind == "AWS::Events::EventBus":
                name = template.Resolver(self.refs, self.attrs, {})(resource["Properties"]["Name"])
                self.refs[logical_id] = name
                self.attrs[(logical_id, "Arn")] = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}"
                self.attrs[(logical_id, "Name")] = name
            elif kind == "AWS::Serverless::Function":
                self.refs[logical_id] = physical
                self.attrs[(logical_id, "Arn")] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{physical}"
                alias = resource["Properties"].get("AutoPublishAlias")
                if alias:  # SAM's `!Ref Function.Alias`; the hook drops the qualifier when invoked
                    self.refs[f"{logical_id}.Alias"] = f"{self.attrs[(logical_id, 'Arn')]}:{alias}"
            elif kind == "AWS::Serverless::StateMachine":
                arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{physical}"
                self.refs[logical_id] = arn
                self.attrs[(logical_id, "Name")] = physical
                self.attrs[(logical_id, "Arn")] = arn
            else:  # resources with no local counterpart (Cognito, alarms, log groups, layers...)
                self.refs[logical_id] = physical
                self.attrs[(logical_id, "Arn")] = f"arn:aws:local:{REGION}:{ACCOUNT}:{physical}"
                self.attrs[(logical_id, "Name")] = physical

    def deployed_environment(self) -> dict[str, str]:
        """The variables the template gives the functions (Globals and each function's own), resolved
        to this runtime's names, without starting moto: what `make bench` imports handlers under."""
        if not self.refs:
            self._assign_physical_ids()
        resolver = template.Resolver(self.refs, self.attrs, self.conditions())
        env = {**self._function_environment(resolver), "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}
        env["POWERTOOLS_LOG_LEVEL"] = "INFO"
        return env

    def _function_environment(self, resolver: template.Resolver) -> dict[str, str]:
        """Globals' variables plus every function's own. Set once: moto runs executions on worker
        threads, so per-invocation os.environ swaps would race."""
        env = dict(
            resolver(self.template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
        )
        for resource in self.resources.values():
            if resource["Type"] == "AWS::Serverless::Function":
                env.update(resolver(resource["Properties"].get("Environment", {}).get("Variables", {})))
        env["POWERTOOLS_LOG_LEVEL"] = os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING")
        return {k: str(v) for k, v in env.items()}

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

    def _create_resources(self, resolver: template.Resolver) -> None:
        ddb, sns, sqs, events, ses = (self.client(s) for s in ("dynamodb", "sns", "sqs", "events", "ses"))
        for logical_id, resource in self.resources.items():
            kind, props = resource["Type"], resolver(resource.get("Properties", {}))
            if kind == "AWS::DynamoDB::Table":
                spec = {k: props[k] for k in ("AttributeDefinitions", "KeySchema")}
                spec["BillingMode"] = props.get("BillingMode", "PAY_PER_REQUEST")
                if props.get("GlobalSecondaryIndexes"):
                    spec["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
                ddb.create_table(TableName=self.refs[logical_id], **spec)
                ttl = props.get("TimeToLiveSpecification")
                if ttl:
                    ddb.update_time_to_live(TableName=self.refs[logical_id], TimeToLiveSpecification=ttl)
            elif kind == "AWS::SNS::Topic":
                sns.create_topic(Name=self.attrs[(logical_id, "TopicName")])
            elif kind == "AWS::SQS::Queue":
                sqs.create_queue(QueueName=self.attrs[(logical_id, "QueueName")])
            elif kind == "AWS::Events::EventBus":
                events.create_event_bus(Name=self.refs[logical_id])
        ses.verify_email_identity(EmailAddress=self.parameter("SenderEmail"))

    def _register_functions(self) -> None:
        globals_ = self.template.get("Globals", {}).get("Function", {})
        for logical_id, resource in self.resources.items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            props = resource["Properties"]
            module_name, _, attr = props["Handler"].rpartition(".")
            code_dir = ROOT / props["CodeUri"]
            module_path = code_dir / (module_name.replace(".", "/") + ".py")
            environments = lambda_hook.Environments(partial(_load_handler, logical_id, module_path, attr))
            function = lambda_hook.LocalFunction(
                logical_id=logical_id,
                name=self.refs[logical_id],
                arn=self.attrs[(logical_id, "Arn")],
                handler=environments,
                timeout=int(props.get("Timeout", globals_.get("Timeout", 3))),
                memory=int(props.get("MemorySize", globals_.get("MemorySize", 128))),
            )
            lambda_hook.register(function)
            self.functions[logical_id] = function

    def _create_state_machine(self, resolver: template.Resolver) -> None:
        sfn = self.client("stepfunctions")
        for logical_id, resource in self.resources.items():
            if resource["Type"] != "AWS::Serverless::StateMachine":
                continue
            props = resource["Properties"]
            definition = (ROOT / props["DefinitionUri"]).read_text(encoding="utf-8")
            for key, value in resolver(props.get("DefinitionSubstitutions", {})).items():
                definition = definition.replace("${" + key + "}", str(value))
            answer = sfn.create_state_machine(
                name=self.attrs[(logical_id, "Name")],
                definition=definition,
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/{logical_id}Role",
                type=props.get("Type", "STANDARD"),
            )
            self.state_machine_arn = answer["stateMachineArn"]

    def _collect_routes(self) -> None:
        for resource in self.resources.values():
            if resource["Type"] != "AWS::Serverless::Api":
                continue
            for name, spec in ((resource["Properties"].get("Auth") or {}).get("Authorizers") or {}).items():
                if "FunctionArn" in spec:
                    self.authorizers[name] = {"kind": "lambda", "function": spec["FunctionArn"]["Fn::GetAtt"][0]}
                else:
                    self.authorizers[name] = {"kind": "cognito"}
        for logical_id, resource in self.resources.items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            for event in (resource["Properties"].get("Events") or {}).values():
                if event["Type"] != "Api":
                    continue
                props = event["Properties"]
                self.routes.append(
                    {
                        "function": logical_id,
                        "method": props["Method"].upper(),
                        "path": props["Path"],
                        "authorizer": (props.get("Auth") or {}).get("Authorizer"),
                    }
                )

    # ---- seed --------------------------------------------------------------------------------

    def load_seed(self, path: str | Path) -> None:
        from switchboard.adapters.repository.directory import CustomerDirectory, Ledger

        self.seed = load_seed_file(path)
        directory, ledger = CustomerDirectory(), Ledger()
        for customer in self.seed.get("customers", []):
            directory.put_customer(customer)
        for transaction in self.seed.get("transactions", []):
            ledger.put({**transaction, "createdAt": resolve_time(transaction["createdAt"])})
        self.agents = {agent["token"]: agent for agent in self.seed.get("agents", [])}

    # ---- helpers for the demo, tests and the outbox -------------------------------------------

    def _set_env(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._env_before.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    @staticmethod
    def _reset_cached_state() -> None:
        from switchboard import config
        from switchboard.adapters import aws

        aws.reset_clients()
        moto_patches.reset()
        config.settings.cache_clear()

    def executions(self) -> list[dict[str, Any]]:
        sfn = self.client("stepfunctions")
        return sfn.list_executions(stateMachineArn=self.state_machine_arn, maxResults=1000)["executions"]

    def _stop_executions(self, grace_seconds: float = 5.0) -> None:
        """Abort what is still running and let in-flight handlers finish, so no worker thread calls
        AWS after moto is gone."""
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

    def execution(self, case_id: str) -> dict[str, Any]:
        arn = self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{case_id}"
        return self.client("stepfunctions").describe_execution(executionArn=arn)

    def wait_for_execution(self, case_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """Woken when an execution ends (no 50 ms DescribeExecution polls: they cost the engine's CPU)."""
        finished = moto_patches.wait_until_finished(
            lambda: (lambda e: e if e["status"] != "RUNNING" else None)(self.execution(case_id)),
            deadline=time.monotonic() + timeout,
        )
        if finished is None:
            raise TimeoutError(f"timed out after {timeout}s waiting for execution {case_id} to finish")
        return finished

    def outbox(self) -> list[dict[str, Any]]:
        from .outbox import collect

        return collect(self)
