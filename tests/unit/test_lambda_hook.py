"""The local runtime's patches to Powertools' process-wide state (local_runtime/lambda_hook.py)."""

from __future__ import annotations

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

import local_runtime  # noqa: F401 - installs the hook, as every local run does


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
