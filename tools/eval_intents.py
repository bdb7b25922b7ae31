"""Evaluate the intent classifier on the held-out set.

Trains on data/intents/train.jsonl in memory with exactly the code path of
tools/train_intents.py (CV model selection + refit), scores data/intents/heldout.jsonl,
then does the same for the shipped model file and measures its latency.

    PYTHONPATH=layers/shared python tools/eval_intents.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "layers" / "shared") not in sys.path:
    sys.path.insert(0, str(ROOT / "layers" / "shared"))

from switchboard.nlp import classify_text, training  # noqa: E402
from switchboard.nlp.model import MODEL_PATH, IntentModel, get_model, load_model  # noqa: E402


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


def describe_config(meta: dict) -> str:
    items = sorted(meta["config"].items(), key=lambda kv: kv[0] != "family")  # family first
    config = ", ".join(f"{k}={v}" for k, v in items)
    cv = meta["cv"]
    return (
        f"{config}; temperature={cv['temperature']}, other_offset={cv['other_offset']}; "
        f"{meta['cv_folds']}-fold CV on train: accuracy {cv['accuracy']:.4f}, macro-F1 {cv['macro_f1']:.4f}, "
        f"NLL {cv['nll']:.3f}, ECE {cv['ece']:.3f}"
    )


def main() -> int:
    heldout = training.load_examples(training.HELDOUT_PATH)

    print("== model trained in memory on data/intents/train.jsonl ==")
    started = time.perf_counter()
    fresh, _ = training.build_model(training.TRAIN_PATH)
    print(f"training incl. model selection: {time.perf_counter() - started:.1f}s")
    print("chosen config:", describe_config(fresh["training"]))
    fresh_text = training.dumps(fresh)
    print(f"serialized size: {len(fresh_text.encode('utf-8')) / 1024:.1f} KiB, {len(fresh['weights'])} features")
    print()
    print(f"held-out evaluation ({training.HELDOUT_PATH.relative_to(training.REPO_ROOT)}):")
    print(training.format_report(training.evaluate(IntentModel(fresh), heldout)))

    print()
    print(f"== shipped model {Path(MODEL_PATH).relative_to(training.REPO_ROOT)} ==")
    if not os.path.exists(MODEL_PATH):
        print("missing: run tools/train_intents.py")
        return 0
    size = os.path.getsize(MODEL_PATH)
    started = time.perf_counter()
    load_model()
    load_ms = (time.perf_counter() - started) * 1000
    shipped = get_model()
    meta = shipped.metadata
    current = meta.get("train_sha256") == training.file_sha256(training.TRAIN_PATH)
    identical = Path(MODEL_PATH).read_bytes() == fresh_text.encode("utf-8")
    print(f"file size: {size} bytes ({size / 1024:.1f} KiB), load time {load_ms:.1f} ms")
    print("config:", describe_config(meta))
    print(f"trained on current train.jsonl: {'yes' if current else 'NO - rerun tools/train_intents.py'}")
    print(f"identical to the in-memory model: {'yes' if identical else 'no'}")
    result = training.evaluate(shipped, heldout)
    print(f"held-out: accuracy {result['accuracy']:.4f}, macro-F1 {result['macro_f1']:.4f}, ECE {result['ece']:.4f}")

    for example in heldout[:20]:  # warm-up: first calls pay for regex caches
        classify_text(example.text)
    timings = []
    for example in heldout:
        started = time.perf_counter()
        classify_text(example.text)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(
        f"latency per utterance over {len(timings)} held-out texts (model loaded): "
        f"mean {sum(timings) / len(timings):.3f} ms, p50 {percentile(timings, 50):.3f} ms, "
        f"p95 {percentile(timings, 95):.3f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
