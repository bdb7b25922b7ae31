"""Everything that talks to AWS: boto3 clients (aws), DynamoDB marshalling and repositories, events
out, abuse-limit counters."""
