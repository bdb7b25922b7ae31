"""The README stands on its own: its picture is the one tools/diagram.py draws from the template and
the ASL today, it names no file outside the repository, every path it names exists, and it lists
the seed's agent tokens."""

from __future__ import annotations

import json
import re
import sys

from local_runtime.runtime import DEFAULT_SEED, ROOT

sys.path.insert(0, str(ROOT / "tools"))
import diagram

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_architecture_picture_is_generated_from_todays_template_and_asl():
    # given the picture tools/diagram.py draws now, then the README carries exactly that one
    assert diagram.current_block(README) == diagram.readme_block(diagram.render()), (
        "README's diagram is stale: run .venv/bin/python tools/diagram.py --write"
    )


def test_the_picture_has_every_state_and_every_api_function():
    drawn = diagram.render()
    definition = json.loads((ROOT / "statemachine" / "case_workflow.asl.json").read_text(encoding="utf-8"))
    for state in definition["States"]:
        assert re.search(rf"^    {state}[\[\{{\(]", drawn, re.M), state
    for function in ("ContactsApiFunction", "AgentsApiFunction", "ConnectContactFunction"):
        assert f"    {function}[" in drawn


def test_the_readme_names_no_file_outside_the_repository():
    assert "../" not in README
    assert "DESIGN.md" not in README


def test_every_repository_path_the_readme_names_exists():
    paths = set(re.findall(r"`((?:[\w.-]+/)+[\w.-]+\.(?:py|json|yaml|toml|sh|txt|jsonl))`", README))
    assert paths, "the README names files"
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, missing


def test_the_seed_agents_tokens_are_listed():
    seed = json.loads(DEFAULT_SEED.read_text(encoding="utf-8"))
    for agent in seed["agents"]:
        assert f"`{agent['token']}`" in README, agent["agentId"]


def test_every_make_target_the_readme_documents_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in set(re.findall(r"`make ([a-z-]+)", README)):
        assert re.search(rf"^{target}:", makefile, re.M), target
