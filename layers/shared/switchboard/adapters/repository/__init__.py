"""Data access: small classes over a boto3 DynamoDB client, injectable for tests."""
