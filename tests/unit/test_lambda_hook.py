"""The local runtime's patches to Powertools' process-wide state (local_runtime/lambda_hook.py)."""

from __future__ import annotations

import time

import pytest
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

import local_runtime  # noqa: F401 - installs the hook, as every local run does
from local_runtime import lambda_hook
from local_runtime.lambda_hook import LocalFunction


def test_disabled_metrics_are_dropped_at_each_flush_not_piled_up_and_printed(monkeypatch, capsys):
    # given metrics disabled, as the local runtime runs them
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    metrics = Metrics(namespace="Test", service="hook")

    @metrics.log_metrics
    def handler(event, context):
        metrics.add_metric(name="Contacts", unit=MetricUnit.Count, value=1)

    # when 150 invocations each add one value (Powertools prints a metric once it holds 100 values)
    for _ in range(150):
        handler({}, None)
    # then nothing was printed and nothing is kept
    assert "_aws" not in capsys.readouterr().out
    assert metrics.provider.metric_set == {}


def _burn(seconds: float) -> None:
    """Busy for `seconds` of this thread's CPU (not wall time: the machine's load does not change it)."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


def test_each_function_counts_its_own_cpu_and_not_that_of_an_invocation_nested_in_it():
    # given a function whose handler burns 20 ms of CPU and invokes another that burns 60 ms
    inner = LocalFunction("Inner", "inner", "arn:inner", lambda event, context: _burn(0.06), 3, 128)
    outer = LocalFunction(
        "Outer", "outer", "arn:outer", lambda event, context: (_burn(0.02), lambda_hook.invoke(inner, {})), 3, 128
    )
    # when the outer one is invoked twice
    for _ in range(2):
        lambda_hook.invoke(outer, {})
    # then each counts its own handlers' CPU, the nested invocation's counted once, in the inner function
    assert inner.invocations == 2 and outer.invocations == 2
    assert 0.12 <= inner.cpu_seconds < 0.2
    assert 0.04 <= outer.cpu_seconds < 0.1  # 0.16 or more if the inner one's CPU were counted in it too


def test_a_meter_around_work_that_runs_a_handler_can_leave_the_handlers_cpu_out():
    # given a function whose handler burns 30 ms of CPU
    burner = LocalFunction("Burner", "burner", "arn:burner", lambda event, context: _burn(0.03), 3, 128)
    # when work on this thread runs it (as a moto call that delivers to a function would), twice
    before = lambda_hook.nested_cpu_seconds()
    for _ in range(2):
        lambda_hook.invoke(burner, {})
    # then this thread's nested CPU grew by exactly what the function counted as its own
    assert burner.invocations == 2 and burner.cpu_seconds >= 0.06
    assert lambda_hook.nested_cpu_seconds() - before == pytest.approx(burner.cpu_seconds)


def test_each_execution_environment_makes_its_own_clients_as_on_lambda(monkeypatch):
    from switchboard.adapters import aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    aws.reset_clients()
    clients = []

    def handler(event, context):
        clients.append((event["nested"], aws.dynamodb(), aws.dynamodb()))
        if not event["nested"]:
            environments({"nested": True}, None)  # the first environment is busy: a second one starts

    # given a function whose invocation invokes it again while it runs (so two environments run at once)
    environments = lambda_hook.Environments(lambda number: handler)
    # when it is invoked twice
    environments({"nested": False}, None)
    environments({"nested": False}, None)
    # then each environment made its own client and kept it, and code outside any invocation has another
    assert environments.started == 2
    assert all(first is again for _, first, again in clients)
    outer = {id(client) for nested, client, _ in clients if not nested}
    inner = {id(client) for nested, client, _ in clients if nested}
    assert len(outer) == 1 and len(inner) == 1 and outer != inner
    assert id(aws.dynamodb()) not in outer | inner
    # and a fresh moto world forgets them all
    kept = aws.dynamodb()
    aws.reset_clients()
    assert aws.dynamodb() is not kept
    aws.reset_clients()
