"""Retries where the fault is: every Task of the ASL retries the named transient errors with backoff
and full jitter; every Catch names the state that failed; the boto3 clients have explicit timeouts and
standard retries, and answer throttling, 5xx and connection failures with those named errors."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber
from switchboard.adapters import aws
from switchboard.domain import errors

from local_runtime.runtime import ROOT

ASL = json.loads((ROOT / "statemachine" / "case_workflow.asl.json").read_text(encoding="utf-8"))
STATES = ASL["States"]
TASKS = {name: s for name, s in STATES.items() if s["Type"] == "Task" and name != "LastResort"}


def transient_error_names():
    """Every transient domain error, by class: what the handlers raise is what the ASL must retry."""
    found, todo = set(), [errors.TransientError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_task_retries_the_named_transient_errors_with_backoff_and_full_jitter(name):
    # given the Task's first retrier
    retrier = TASKS[name]["Retry"][0]
    # then it names every transient domain error and Lambda's own, with backoff and full jitter
    assert transient_error_names() <= set(retrier["ErrorEquals"])
    assert {"Lambda.ServiceException", "Lambda.TooManyRequestsException"} <= set(retrier["ErrorEquals"])
    assert retrier["MaxAttempts"] >= 2 and retrier["BackoffRate"] > 1
    assert all(rule["JitterStrategy"] == "FULL" for rule in TASKS[name]["Retry"])


def test_every_catch_of_a_step_names_the_state_that_failed():
    # given every Catch that sends a failed step towards a person or the stuck queue
    checked = set()
    for name, state in TASKS.items():
        for catch in state.get("Catch", []):
            target = STATES[catch["Next"]]
            if target["Type"] != "Pass" or target["Next"] not in ("RecordFailure", "LastResort"):
                continue
            # then the Pass in between names this very state and the caught error
            assert target["Parameters"] == {"state": name, "error.$": "$.failure.Error"}, name
            assert catch["ResultPath"] == "$.failure"
            checked.add(catch["Next"])
    # and every such Pass of the ASL is reached from a Catch
    assert checked == {
        n for n, s in STATES.items() if s["Type"] == "Pass" and s["Next"] in ("RecordFailure", "LastResort")
    }


def test_a_failed_human_task_goes_to_the_supervisors_before_the_stuck_queue():
    human = {c["ErrorEquals"][0]: c["Next"] for c in STATES["HumanTask"]["Catch"]}
    assert human == {"States.Timeout": "ClockDue", "States.ALL": "HandToSupervisors"}
    # a wait that timed out: supervisors once its deadline has come, or when its clocks cannot be read
    assert STATES["ClockDue"]["Next"] == "ClockExpired" and STATES["ClockExpired"]["Default"] == "SlaExpired"
    assert [c["Next"] for c in STATES["ClockDue"]["Catch"]] == ["SlaExpired"]
    assert STATES["HandToSupervisors"]["Next"] == "SupervisorTask"
    assert STATES[STATES["SupervisorTask"]["Catch"][-1]["Next"]]["Next"] == "LastResort"
    body = STATES["LastResort"]["Parameters"]["MessageBody"]
    assert body["state.$"] == "$.failedStep.state" and body["error.$"] == "$.failedStep.error"


@pytest.mark.parametrize("state", ["NotifyReceived", "NotifyEscalated", "Notify", "Survey"])
def test_every_notice_is_retried_then_recorded(state):
    retried = {e for rule in STATES[state]["Retry"] for e in rule["ErrorEquals"]}
    assert "NotificationDeliveryError" in retried
    recorder = STATES[STATES[state]["Catch"][0]["Next"]]
    assert recorder["Resource"] == "${NotificationFailedFunctionArn}"


def test_clients_have_explicit_timeouts_and_standard_retries():
    config = aws.client_config()
    assert config.connect_timeout == aws.CONNECT_TIMEOUT_SECONDS
    assert config.read_timeout == aws.READ_TIMEOUT_SECONDS
    assert config.retries == {"mode": "standard", "total_max_attempts": aws.TOTAL_ATTEMPTS}
    # a hung call gives up within the tightest function timeout (Connect: 6 s)
    worst = aws.TOTAL_ATTEMPTS * (aws.CONNECT_TIMEOUT_SECONDS + aws.READ_TIMEOUT_SECONDS)
    assert worst < 6


def stubbed(code: str, status: int):
    client = boto3.session.Session().client("dynamodb", region_name="us-east-1", config=aws.client_config())
    stub = Stubber(client)
    stub.add_client_error("get_item", service_error_code=code, http_status_code=status)
    stub.activate()
    return aws.TranslatingClient(client)


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ProvisionedThroughputExceededException", 400, errors.DependencyThrottled),
        ("ThrottlingException", 400, errors.DependencyThrottled),
        ("InternalServerError", 500, errors.DependencyUnavailable),
        ("ServiceUnavailable", 503, errors.DependencyUnavailable),
    ],
)
def test_throttling_and_5xx_become_named_transient_errors(code, status, expected):
    with pytest.raises(expected):
        stubbed(code, status).get_item(TableName="t", Key={"id": {"S": "1"}})


def test_a_callers_error_passes_as_it_is():
    client = stubbed("ConditionalCheckFailedException", 400)
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        client.get_item(TableName="t", Key={"id": {"S": "1"}})


def test_a_timeout_is_a_dependency_unavailable():
    assert isinstance(aws.transient_error(ReadTimeoutError(endpoint_url="x")), errors.DependencyUnavailable)
    assert aws.transient_error(ValueError("a bug")) is None


def test_clients_are_made_on_one_session_each_client_its_own(monkeypatch):
    # a session loads endpoints, partitions and retry rules once for all its clients (a cold start's cost)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    aws.reset_clients()
    first, second = aws.new_client("dynamodb"), aws.new_client("dynamodb")
    assert aws._session.cache_info().misses == 1
    assert first._client._loader is second._client._loader  # the data a session loads, loaded once for both
    assert first is not second  # each its own connection pool and retry quota
    assert isinstance(first, aws.TranslatingClient)
    aws.reset_clients()
