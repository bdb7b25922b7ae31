"""`make bench` smoke test: the quick run of tools/bench.py exits 0 and prints every figure with its anchor,
so the bench cannot silently break again. Figures are printed, never asserted."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from local_runtime.runtime import ROOT


def test_quick_bench_prints_every_section_next_to_its_anchors():
    # given a clean environment like a fresh clone's (nothing the local runtime would set)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "AWS_"))}
    # when the quick bench runs
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "bench.py"), "--quick"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=540,
        check=False,
    )
    # then it exits 0 and every figure is there, next to its anchor
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for line in (
        "== 1. cold start",
        "tracing ON as deployed",
        "bare boto3, one client",
        "naive Powertools handler",
        "ConnectContactFunction",
        "ContactsApiFunction",
        "== 2. cost per case",
        "auto-resolved",
        "code",
        "escalated",
        "intake+workflow",
        "outside the workflow: ContactsApiFunction",
        "== 3. local engine",
        "cases/s",
        "ceiling of one process",
        "perfectly across processes",
        "AWS calls per case",
        "cases/s on one core before any handler",
        "a case's CPU in units of that cheapest call",
        "where a case's CPU goes",
        "moto's side of those calls",
        "that process alone would bound the rate at",
        "== 4. warm latency",
    ):
        assert line in out, f"missing {line!r} in:\n{out}"
    rows = [row.split() for row in out.splitlines() if row.strip().startswith(("auto-resolved", "code", "escalated"))]
    assert all(int(row[1]) > 0 and int(row[2]) > 0 and int(row[4]) > 0 for row in rows), out  # counted, not blank
    calls = next(row for row in out.splitlines() if "AWS calls per case" in row)
    assert float(calls.split(":")[1].split("(")[0]) > 10, calls  # a case's calls were counted
    units = next(row for row in out.splitlines() if "in units of that cheapest call" in row)
    assert int(units.split(":")[1].split("(")[0]) > 10, units  # a case costs more than a few small calls
    where = out.split("where a case's CPU goes", 1)[1].splitlines()[1]
    assert re.search(r"Triage \d+\.\d", where) and "ContactsApi" in where, where  # the functions' CPU measured
    moto = re.search(r"moto's side of those calls .*?: (\d+) ms a case, (\d+)% of its CPU", out)
    assert moto and int(moto[1]) > 0 and 0 < int(moto[2]) < 100, out  # timed, and a part of the whole
