"""Anchor for `make bench`: the floor of a Python Lambda that talks to AWS, bare boto3 with one client."""

import boto3

table = boto3.client("dynamodb")


def handler(event, context):
    return {"ok": True}
