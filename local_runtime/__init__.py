"""The embedded local runtime: template.yaml on moto, with our Lambda handlers run in-process.

Importing this package installs the Lambda hook into botocore before any boto3 session exists, so
every client (ours and moto's Step Functions engine's) routes Lambda invocations to it."""

from .faults import install as _install_faults
from .lambda_hook import install as _install_hook

_install_hook()
_install_faults()  # inert until a chaos run injects faults
