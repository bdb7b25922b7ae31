"""Train the intent classifier and write the shipped model.

Selects the model family and hyper-parameters by stratified k-fold cross-validation on
data/intents/train.jsonl only, refits the winner on the whole file, and writes
layers/shared/switchboard/nlp/intent_model.json (with the training file's sha256).

    PYTHONPATH=layers/shared python tools/train_intents.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "layers" / "shared") not in sys.path:
    sys.path.insert(0, str(ROOT / "layers" / "shared"))

from switchboard.nlp import training  # noqa: E402
from switchboard.nlp.model import MODEL_PATH  # noqa: E402

MAX_MODEL_BYTES = 2 * 1024 * 1024


def print_candidates(model: dict) -> None:
    meta = model["training"]
    print(f"model selection: {meta['cv_folds']}-fold stratified CV on {meta['n_examples']} training examples")
    print(f"  {'config':<78}{'acc':>7}{'macroF1':>9}{'NLL':>7}{'ECE':>7}")
    for cand in meta["candidates"]:
        cfg = ", ".join(f"{k}={v}" for k, v in cand["config"].items())
        cv = cand["cv"]
        mark = "*" if cand["config"] == meta["config"] else " "
        print(f"{mark} {cfg:<78}{cv['accuracy']:>7.4f}{cv['macro_f1']:>9.4f}{cv['nll']:>7.3f}{cv['ece']:>7.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=training.TRAIN_PATH)
    parser.add_argument("--out", type=Path, default=Path(MODEL_PATH))
    args = parser.parse_args(argv)

    started = time.perf_counter()
    model, cv = training.build_model(args.train)
    elapsed = time.perf_counter() - started
    meta = model["training"]

    print_candidates(model)
    print()
    print("chosen config:", ", ".join(f"{k}={v}" for k, v in meta["config"].items()))
    print(
        f"post-hoc: temperature={meta['cv']['temperature']:.4f}, other_offset={meta['cv']['other_offset']:.4f} "
        "(both fitted on out-of-fold predictions)"
    )
    print()
    print("cross-validated figures of the chosen config (out-of-fold, training file only):")
    print(training.format_report(cv))

    text = training.dumps(model)
    size = len(text.encode("utf-8"))
    if size >= MAX_MODEL_BYTES:
        print(f"error: model is {size} bytes, limit is {MAX_MODEL_BYTES}; raise min_df", file=sys.stderr)
        return 1
    args.out.write_bytes(text.encode("utf-8"))
    print()
    print(f"wrote {args.out} ({size / 1024:.1f} KiB, {len(model['weights'])} features) in {elapsed:.1f}s")
    print(f"train_sha256={meta['train_sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
