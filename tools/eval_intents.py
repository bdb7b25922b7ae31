"""Evaluate the intent classifier: cross-validation on train, the two held-out splits, speed.

Trains on data/intents/train.jsonl in memory with exactly the code path of
tools/train_intents.py (CV model selection + post-hoc parameters + refit), printing its
progress, scores data/intents/heldout.jsonl (the original plain split) and
data/intents/heldout_hard.jsonl (written after the training data, never tuned on), then
measures the shipped model file: size, cold load, latency. Ends with one table.

    PYTHONPATH=layers/shared .venv/bin/python tools/eval_intents.py
    ... tools/eval_intents.py --smoke   # a small subset and one candidate: checks the pipeline, ~20 s
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "layers" / "shared") not in sys.path:
    sys.path.insert(0, str(ROOT / "layers" / "shared"))

from switchboard.nlp import training  # noqa: E402
from switchboard.nlp.model import MODEL_PATH, IntentModel, load_model  # noqa: E402

# What make eval printed on the models this work replaced, for the closing note's comparison.
BASELINE = (
    "issue 15 opened on: held-out 0.964, CV 0.891, model 436 KiB, load 26 ms, p50 0.06 ms",
    "before the second data pass: CV 0.9159 (misroute 1.98%), plain 0.9939, hard 0.9185 (misroute 2.72%, "
    "2nd found 68.3%), model 523 KiB, p50 0.224 ms",
)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


def cold_load_ms(path: str) -> tuple[float, float]:
    """(CPU ms, wall ms) in a fresh interpreter (as on a Lambda cold start), after the imports:
    reading the model file plus the first classification (which reads the Traditional->Simplified
    table). CPU time is the figure: on a shared machine wall time measures the neighbours too."""
    code = (
        "import time\n"
        "from switchboard.nlp.model import load_model\n"
        "t, c = time.perf_counter(), time.process_time()\n"
        f"load_model({path!r}).classify('my account is locked')\n"
        "print((time.process_time() - c) * 1000, (time.perf_counter() - t) * 1000)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "shared")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    cpu, wall = (float(v) for v in out.stdout.split())
    return cpu, wall


def latency_ms(model: IntentModel, texts: list[str]) -> list[float]:
    """CPU time per message: on a shared machine wall time measures the neighbours too."""
    for text in texts[:20]:  # warm-up: first calls pay for regex caches
        model.classify(text)
    timings = []
    for text in texts:
        started = time.process_time()
        model.classify(text)
        timings.append((time.process_time() - started) * 1000)
    return sorted(timings)


def row(name: str, r: dict) -> str:
    sec = r["secondary"]
    two = f"{sec['recall']:.1%} of {sec['n_two_needs']}" if sec["n_two_needs"] else "-"
    return (
        f"{name:<26}{r['n']:>6}{r['accuracy']:>9.4f}{r['macro_f1']:>10.4f}{r['misroute']:>10.2%}"
        f"{r['deferred']:>10.1%}{two:>14}{sec['false_alarm']:>8.1%}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="every 5th training row, one candidate, 3 folds")
    args = parser.parse_args(argv)

    train = training.load_examples(training.TRAIN_PATH)
    heldout = training.load_examples(training.HELDOUT_PATH)
    hard = training.load_examples(training.HELDOUT_HARD_PATH)
    candidates, folds = training.CANDIDATES, training.CV_FOLDS
    if args.smoke:
        train, heldout, hard = train[::5], heldout[::5], hard[::5]
        candidates, folds = training.CANDIDATES[-2:-1], 3

    print(f"== training in memory on {len(train)} rows of data/intents/train.jsonl ({folds}-fold CV) ==", flush=True)
    started = time.perf_counter()
    fresh, cv = training.build_model(
        training.TRAIN_PATH, candidates, progress=training.progress_printer, examples=train, k=folds
    )
    print(f"training incl. model selection: {time.perf_counter() - started:.1f}s")
    meta = fresh["training"]
    print("chosen config:", training.describe(meta["config"]))
    model = IntentModel(fresh)
    results = {
        "CV (train, out-of-fold)": cv,
        "held-out plain": training.evaluate(model, heldout),
        "held-out hard": training.evaluate(model, hard),
    }
    results["held-out all"] = training.evaluate(model, heldout + hard)
    for name in ("held-out plain", "held-out hard"):
        print()
        print(f"-- {name} --")
        print(training.format_report(results[name]))

    print()
    print("by style (n, accuracy, misroute, deferred)")
    print(training.format_groups(results, "style"))
    print()
    print("by language variety")
    print(training.format_groups(results, "variety"))

    fresh_text = training.dumps(fresh)
    shipped_path = Path(MODEL_PATH)
    print()
    if args.smoke or not shipped_path.exists():
        path, size = None, len(fresh_text.encode("utf-8"))
        print("speed measured on the in-memory model (smoke run)")
    else:
        path, size = str(shipped_path), shipped_path.stat().st_size
        current = training.file_sha256(training.TRAIN_PATH)
        shipped_meta = load_model(path).metadata
        print(f"shipped model {shipped_path.relative_to(ROOT)}: config {training.describe(shipped_meta['config'])}")
        print(
            "trained on current train.jsonl: "
            f"{'yes' if shipped_meta.get('train_sha256') == current else 'NO - rerun tools/train_intents.py'}; "
            f"identical to the in-memory model: {'yes' if shipped_path.read_text(encoding='utf-8') == fresh_text else 'no'}"
        )
    if path is None:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
            f.write(fresh_text)
        load_ms = cold_load_ms(f.name)
        os.unlink(f.name)
        timed = model
    else:
        load_ms = cold_load_ms(path)
        timed = load_model(path)
    timings = latency_ms(timed, [e.text for e in heldout + hard])

    print()
    print("=" * 93)
    print(
        f"{'intent model':<26}{'n':>6}{'accuracy':>9}{'macro-F1':>10}{'misroute':>10}{'deferred':>10}"
        f"{'2nd found':>14}{'2nd FA':>8}"
    )
    for name, r in results.items():
        print(row(name, r))
    print(
        f"threshold {cv['threshold']:.2f} (CV misroute target {training.MISROUTE_TARGET:.1%}); "
        f"misroute = confident and wrong, over all messages; deferred = asked / handed to a person"
    )
    print(
        f"latency p50 {percentile(timings, 50):.3f} ms, p95 {percentile(timings, 95):.3f} ms "
        f"(CPU, {len(timings)} held-out texts); cold load {load_ms[0]:.1f} ms CPU ({load_ms[1]:.1f} ms wall); "
        f"model {size / 1024:.0f} KiB"
    )
    for line in BASELINE:
        print(line)
    print("=" * 93)
    return 0


if __name__ == "__main__":
    sys.exit(main())
