"""Train the intent classifier and write the shipped model.

Selects the model family and hyper-parameters by stratified k-fold cross-validation on
data/intents/train.jsonl only, fits the post-hoc parameters (temperature, "other" offset,
two-needs and confidence thresholds) on the out-of-fold predictions, refits the winner on
the whole file, and writes layers/shared/switchboard/nlp/intent_model.json (with the
training file's sha256).

    PYTHONPATH=layers/shared .venv/bin/python tools/train_intents.py
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
    print(f"  {'config':<90}{'acc':>7}{'macroF1':>9}{'misr':>7}{'thr':>6}{'defer':>7}{'NLL':>7}")
    for cand in meta["candidates"]:
        cv = cand["cv"]
        mark = "*" if cand["config"] == meta["config"] else " "
        print(
            f"{mark} {training.describe(cand['config']):<90}{cv['accuracy']:>7.4f}{cv['macro_f1']:>9.4f}"
            f"{cv['misroute']:>7.2%}{cv['threshold']:>6.2f}{cv['deferred']:>7.1%}{cv['nll']:>7.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=training.TRAIN_PATH)
    parser.add_argument("--out", type=Path, default=Path(MODEL_PATH))
    args = parser.parse_args(argv)

    started = time.perf_counter()
    model, cv = training.build_model(args.train, progress=training.progress_printer)
    elapsed = time.perf_counter() - started
    meta = model["training"]

    print()
    print_candidates(model)
    print()
    print("chosen config:", training.describe(meta["config"]))
    print(
        f"post-hoc (out-of-fold): temperature={meta['cv']['temperature']:.4f}, "
        f"other_offset={meta['cv']['other_offset']:.4f}, secondary_threshold={meta['cv']['secondary_threshold']:.2f}, "
        f"threshold={meta['cv']['threshold']:.2f} (misroute target {training.MISROUTE_TARGET:.1%})"
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
    n_features = model["vocabulary"].count("\n") + 1
    print(f"wrote {args.out} ({size / 1024:.1f} KiB, {n_features} features) in {elapsed:.1f}s")
    print(f"train_sha256={meta['train_sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
