# Switchboard: `make demo` and `make test` do all the setup on a fresh machine.
SHELL := /bin/bash
# Lambda runs python3.13: the venv is made with it (pyenv's 3.13 when there is one, else python3.13 on PATH).
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) python3.13)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 3000
SEED ?= local_runtime/seed.json
export PYTHONPATH := $(CURDIR)/layers/shared:$(CURDIR)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo serve invoke test lint eval bench seed-aws publish-desk screenshots chaos clean

$(VENV)/.installed: requirements-dev.txt layers/shared/requirements.in functions/authorizer/requirements.in
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 13), f"need Python 3.13 (Lambda python3.13), got {sys.version}"'
	@echo "== creating $(VENV) with $$($(PYTHON) --version) and installing requirements-dev.txt"
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --progress-bar off --upgrade pip
	$(PY) -m pip install --progress-bar off -r requirements-dev.txt
	touch $@

demo: $(VENV)/.installed ## every sample contact through the real template and state machine, locally
	$(PY) -m local_runtime demo --seed $(SEED)

serve: $(VENV)/.installed ## the local runtime on 127.0.0.1:$(PORT)
	$(PY) -m local_runtime serve --port $(PORT) --seed $(SEED)

invoke: $(VENV)/.installed ## make invoke FUNCTION=<LogicalId> EVENT=<file> [GIVEN=<sample contact opening its case>]
	@test -n "$(FUNCTION)" -a -n "$(EVENT)" || { echo "usage: make invoke FUNCTION=<LogicalId> EVENT=<file> [GIVEN=<contact file>]"; exit 2; }
	@$(PY) -m local_runtime invoke $(FUNCTION) $(EVENT) --seed $(SEED) $(if $(GIVEN),--given $(GIVEN))

test: $(VENV)/.installed ## the whole suite
	$(PY) -m pytest -q -n 2 --dist loadfile

eval: $(VENV)/.installed ## intent classifier on the held-out split
	$(PY) tools/eval_intents.py

bench: $(VENV)/.installed ## cold start, latency and cost figures
	$(PY) tools/bench.py

seed-aws: $(VENV)/.installed ## make seed-aws STACK=<deployed stack> [SEED=file] [REGION=...]: the seed into AWS
	@test -n "$(STACK)" || { echo "usage: make seed-aws STACK=<stack name> [SEED=file] [REGION=region]"; exit 2; }
	$(PY) tools/seed_aws.py --stack $(STACK) --seed $(SEED) $(if $(REGION),--region $(REGION))

screenshots: $(VENV)/.installed ## the README's pictures of the desk, taken by its browser tests (needs Chromium)
	SCREENSHOTS=docs/screenshots $(PY) -m pytest -q -n 0 -p no:randomly tests/browser/test_desk.py
	@test -s docs/screenshots/desk-queue.png -a -s docs/screenshots/desk-case.png || { echo "no screenshots: is Chromium installed?"; exit 1; }

publish-desk: $(VENV)/.installed ## make publish-desk STACK=<deployed stack> [REGION=...]: the desk and its config.json to the stack's bucket
	@test -n "$(STACK)" || { echo "usage: make publish-desk STACK=<stack name> [REGION=region]"; exit 2; }
	$(PY) tools/publish_desk.py --stack $(STACK) $(if $(REGION),--region $(REGION))

chaos: $(VENV)/.installed ## per AWS fault type: contacts, faults injected, unanswered, lost, stuck, failed notifications
	POWERTOOLS_LOG_LEVEL=ERROR $(PY) -m local_runtime.chaos --contacts $(or $(CONTACTS),100) $(if $(FAULT),--fault $(FAULT))

lint: $(VENV)/.installed ## ruff, mypy, cfn-lint, sam build, asl-validator
	bash tools/lint.sh

clean:
	rm -rf $(VENV) node_modules .aws-sam .pytest_cache
