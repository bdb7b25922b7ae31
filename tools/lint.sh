#!/usr/bin/env bash
# make lint: ruff, cfn-lint, sam validate --lint, and asl-validator on every state machine file.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet . || { echo "ruff format: run '.venv/bin/ruff format .'"; exit 1; }

echo "== cfn-lint template.yaml"
.venv/bin/cfn-lint template.yaml

echo "== sam validate --lint"
if [ ! -x .venv-sam/bin/sam ] || [ requirements-sam.txt -nt .venv-sam/bin/sam ]; then
  python3 -m venv .venv-sam
  .venv-sam/bin/pip install --quiet --upgrade pip
  .venv-sam/bin/pip install --quiet -r requirements-sam.txt
  touch .venv-sam/bin/sam
fi
SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 .venv-sam/bin/sam validate --lint --template template.yaml

echo "== asl-validator"
if [ ! -x node_modules/.bin/asl-validator ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
for definition in statemachine/*.asl.json; do
  node_modules/.bin/asl-validator --json-path "$definition"
done
echo "lint: all clean"
