"""`make eval` end to end on a small subset (tools/eval_intents.py --smoke), so it cannot break silently."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STYLES = ("angry", "asr", "colloquial", "indirect", "long", "plain", "two_needs", "typo")
VARIETIES = ("code-switch", "en", "zh-Hans", "zh-Hant")


def test_eval_prints_progress_and_ends_with_the_table():
    # given the evaluation tool on a fifth of the data, one candidate, three folds
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "shared"), "OMP_NUM_THREADS": "1"}
    # when it runs
    done = subprocess.run(
        [sys.executable, "tools/eval_intents.py", "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = done.stdout
    # then it succeeds, having printed its training progress
    assert done.returncode == 0, done.stderr
    assert "candidate 1/1" in out and "fold 3/3" in out
    # and every style and language variety has a row
    for group in STYLES + VARIETIES:
        assert re.search(rf"^{re.escape(group)}\s+\d+\s+[01]\.\d{{3}}", out, re.MULTILINE), group
    # and it ends with the table: accuracy, macro-F1, misroute and deferral for CV and both held-out splits
    table = out[out.rindex("intent model") :]
    for name in ("CV (train, out-of-fold)", "held-out plain", "held-out hard", "held-out all"):
        row = re.search(rf"^{re.escape(name)}\s+(\d+)\s+([01]\.\d{{4}})\s+([01]\.\d{{4}})\s+(\d+\.\d\d)%", table, re.M)
        assert row, name
        assert int(row.group(1)) > 0 and 0.3 < float(row.group(2)) <= 1.0 and float(row.group(4)) < 100
    # and the speed and size figures
    assert re.search(r"latency p50 \d+\.\d{3} ms, p95 \d+\.\d{3} ms \(CPU", table)
    assert re.search(r"cold load \d+\.\d ms CPU \(\d+\.\d ms wall\); model \d+ KiB", table)
