#!/usr/bin/env bash
# make lint: ruff, mypy (with boto3's stubs), cfn-lint, sam build, and asl-validator on every state machine file.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet . || { echo "ruff format: run '.venv/bin/ruff format .'"; exit 1; }

echo "== mypy (layers/shared/switchboard, functions, local_runtime; settings in pyproject.toml)"
.venv/bin/mypy

echo "== cfn-lint template.yaml: global regions (Cognito), China regions (an OIDC issuer)"
.venv/bin/cfn-lint --regions us-east-1 ap-east-1 -- template.yaml
# E2530 (SnapStart's regions) is left out in China: that rule reads SnapStart without the region's
# conditions (cfn-lint 1.51's SnapStartSupported calls get_object_without_conditions with no region),
# while the template leaves SnapStart out there (condition HasSnapStart, tests/unit/test_regions.py).
.venv/bin/cfn-lint --regions cn-north-1 cn-northwest-1 --ignore-checks E2530 \
  --parameters IdentityProvider=oidc OidcIssuer=https://id.example.cn/realms/agents OidcAudiences=desk -- template.yaml

echo "== sam build (the layer and every function for python3.13/arm64; cfn-lint above already validated)"
if [ ! -x .venv-sam/bin/sam ] || [ requirements-sam.txt -nt .venv-sam/bin/sam ]; then
  python3 -m venv .venv-sam
  .venv-sam/bin/pip install --progress-bar off --upgrade pip
  .venv-sam/bin/pip install --progress-bar off -r requirements-sam.txt
  touch .venv-sam/bin/sam
fi
# sam build runs python3.13 from PATH: under pyenv, make 3.13 visible beside the global version
if [ -z "${PYENV_VERSION:-}" ] && command -v pyenv >/dev/null; then
  PYENV_VERSION="$(pyenv global | head -1):$(pyenv versions --bare | grep -E '^3\.13' | head -1)"
  export PYENV_VERSION
fi
SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 .venv-sam/bin/sam build --template template.yaml
# the built layer stays small: every function's cold start unpacks it (issue 11: under 20 MB)
layer_mb=$(du -sm .aws-sam/build/SharedLayer | cut -f1)
echo "built layer: ${layer_mb} MB (limit 20)"
[ "$layer_mb" -lt 20 ] || { echo "the built layer is ${layer_mb} MB: 20 MB at most"; exit 1; }

echo "== asl-validator"
if [ ! -x node_modules/.bin/asl-validator ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
for definition in statemachine/*.asl.json; do
  node_modules/.bin/asl-validator --json-path "$definition"
done
echo "lint: all clean"
