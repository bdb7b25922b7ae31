"""The desk's static files as `make serve` serves them at /desk/: one message catalogue with every key
the desk uses in both languages, no asset from another host, the security headers CloudFront adds,
and nothing outside desk/ reachable through the path."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from local_runtime.desk import DESK_DIR
from tests.conftest import serving

SOURCES = [*sorted(DESK_DIR.rglob("*.js")), DESK_DIR / "index.html"]


def catalogue() -> dict[str, dict[str, str]]:
    """messages.js read by node would need node; the file is an object literal of JSON strings."""
    text = (DESK_DIR / "js" / "messages.js").read_text(encoding="utf-8")
    body = text[text.index("{") : text.rindex("}") + 1]
    body = re.sub(r",(\s*[}\]])", r"\1", re.sub(r"^\s*(\w+|\"[\w-]+\"):", r'"\1":', body, flags=re.M))
    return json.loads(body.replace('""', '"'))


def test_both_languages_have_the_same_keys_and_every_key_the_desk_uses():
    messages = catalogue()
    assert set(messages) == {"en", "zh-CN"}
    assert set(messages["en"]) == set(messages["zh-CN"])
    used = set()
    for path in SOURCES:
        used |= set(re.findall(r"\bt\(\s*\"([\w.-]+)\"", path.read_text(encoding="utf-8")))
    assert used and used - set(messages["en"]) == set()


def test_the_accessible_names_the_issue_gives_are_the_english_texts():
    english = catalogue()["en"]
    names = {english[k] for k in ("tasks.next", "tasks.claim", "message.send", "complete.submit", "reassign.submit")}
    assert names == {"Next task", "Claim", "Send", "Complete", "Reassign"}
    assert english["signin.token"] == "Token" and english["lang.switch"] == "中文"
    assert catalogue()["zh-CN"]["lang.switch"] == "English"


def test_no_file_of_the_desk_loads_anything_from_another_host():
    for path in [*SOURCES, DESK_DIR / "desk.css"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), path
        assert not re.search(r"""(import|url)\(?\s*["']?https?://""", text), path


def test_the_javascript_parses(tmp_path):
    node = subprocess.run(["which", "node"], capture_output=True, text=True, check=False).stdout.strip()
    if not node:
        pytest.skip("no node to parse the modules with")
    for path in sorted(DESK_DIR.rglob("*.js")):
        done = subprocess.run([node, "--check", str(path)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def served(runtime):
    with serving(runtime) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


def get(url):
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    try:
        with urlopen(Request(url), timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_the_desk_is_served_with_the_security_headers_and_its_config(served):
    status, headers, body = get(f"{served}/desk/")
    assert status == 200 and "<main" in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    status, headers, body = get(f"{served}/desk/js/main.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    status, _, body = get(f"{served}/desk/config.json")
    assert status == 200 and json.loads(body) == {"apiUrl": "", "auth": None, "tokenSignIn": True, "pollSeconds": 2}


@pytest.mark.parametrize("path", ["/desk/../template.yaml", "/desk/%2e%2e/template.yaml", "/desk/nothing.js"])
def test_nothing_outside_the_desk_folder_is_served(served, path):
    status, _, body = get(f"{served}{path}")
    assert status == 404 and json.loads(body)["error"]["code"] == "NOT_FOUND"
    assert "AWSTemplateFormatVersion" not in body
