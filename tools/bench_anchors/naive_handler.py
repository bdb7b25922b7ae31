"""Anchor for `make bench`: the naive Powertools handler every cold-start figure is compared with.

Logger, Tracer, Metrics and a REST resolver made at import, plus one boto3 client, as the Powertools
examples write it. Never deployed; only imported by tools/bench.py in a fresh interpreter."""

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayRestResolver()
table = boto3.client("dynamodb")


@app.get("/ping")
def ping():
    return {"ok": True}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    return app.resolve(event, context)
