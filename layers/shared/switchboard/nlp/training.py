"""Training, model selection and evaluation for the intent model.

Used by tools/train_intents.py, tools/eval_intents.py and the tests; never imported on the
Lambda runtime path. Everything is deterministic: folds are assigned by position within
each intent, SGD visits examples in a hash-defined order, and the model JSON is written
with sorted keys, so the same train.jsonl always yields a byte-identical model.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .features import FEATURE_VERSION, extract_features
from .model import FALLBACK_INTENT, INTENTS, MODEL_FORMAT, IntentModel, posterior

REPO_ROOT = Path(__file__).resolve().parents[4]
TRAIN_PATH = REPO_ROOT / "data" / "intents" / "train.jsonl"
HELDOUT_PATH = REPO_ROOT / "data" / "intents" / "heldout.jsonl"
CV_FOLDS = 5
WEIGHT_DECIMALS = 4
# Share of a text's features the model must know for its confidence to be taken at face
# value (model.posterior). A design constant, not tuned: it cannot change any prediction,
# only lower the confidence of mostly-unknown text. Out of fold, 95% of real requests
# have coverage >= 0.46 while keyboard mash has 0.03-0.2; at 0.4 the CV NLL rises by
# about 0.01 over no shrinkage at all.
FULL_COVERAGE = 0.4
# Among candidates whose CV macro-F1 is within this of the best, the earliest listed
# (cheapest to train, smallest to ship) wins: smaller differences are fold noise.
SELECTION_TOLERANCE = 0.005

# Candidate configurations, in order of preference when CV scores tie (cheapest first).
# min_df is the document frequency below which a feature is dropped (pruning).
CANDIDATES: tuple[dict, ...] = (
    {"family": "naive_bayes", "alpha": 0.1, "min_df": 1},
    {"family": "naive_bayes", "alpha": 0.3, "min_df": 1},
    {"family": "naive_bayes", "alpha": 1.0, "min_df": 1},
    {"family": "logreg", "l2": 1e-4, "epochs": 20, "lr": 1.0, "min_df": 2},
    {"family": "logreg", "l2": 1e-3, "epochs": 20, "lr": 1.0, "min_df": 2},
    {"family": "logreg", "l2": 1e-4, "epochs": 40, "lr": 1.0, "min_df": 2},
    {"family": "logreg", "l2": 1e-4, "epochs": 20, "lr": 1.0, "min_df": 1},
    {"family": "logreg", "l2": 1e-3, "epochs": 20, "lr": 1.0, "min_df": 1},
)


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: str


def load_examples(path: Path | str) -> list[Example]:
    examples = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["intent"] not in INTENTS:
                raise ValueError(f"{path}:{line_no}: unknown intent {row['intent']!r}")
            examples.append(Example(row["text"], row["intent"], row["language"]))
    return examples


def file_sha256(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --------------------------------------------------------------------------- fitting


def _vocabulary(docs: Sequence[list[str]], min_df: int) -> dict[str, int]:
    df = Counter(f for doc in docs for f in doc)
    return {f: i for i, f in enumerate(sorted(f for f, n in df.items() if n >= min_df))}


def _fit_naive_bayes(docs: Sequence[list[str]], labels: Sequence[int], config: dict) -> dict:
    """Multinomial NB on binary feature presence, stored sparsely (see model.py docstring)."""
    n_classes, alpha = len(INTENTS), config["alpha"]
    vocab = _vocabulary(docs, config["min_df"])
    class_docs = Counter(labels)
    counts: dict[str, Counter] = {}
    totals = [0] * n_classes
    for doc, y in zip(docs, labels, strict=True):
        for f in doc:
            if f in vocab:
                counts.setdefault(f, Counter())[y] += 1
                totals[y] += 1
    n_docs = len(docs)
    bias = [math.log((class_docs[c] + 1) / (n_docs + n_classes)) for c in range(n_classes)]
    default = [math.log(alpha / (totals[c] + alpha * len(vocab))) for c in range(n_classes)]
    weights = {
        f: [(c, math.log((n + alpha) / alpha)) for c, n in sorted(per_class.items())] for f, per_class in counts.items()
    }
    return {"bias": bias, "default": default, "weights": weights, "scaling": "none"}


def _visit_order(n: int, epoch: int) -> list[int]:
    # A shuffle that does not depend on the `random` module's implementation.
    return sorted(range(n), key=lambda i: hashlib.sha256(f"{epoch}:{i}".encode()).digest())


def _fit_logreg(docs: Sequence[list[str]], labels: Sequence[int], config: dict) -> dict:
    """Multinomial logistic regression by SGD; inputs are binary features scaled by
    1/sqrt(n) so long and short messages produce logits of comparable size (n counts all
    the text's features, also those pruned by min_df, exactly as at run time). L2 decay is
    applied to the rows touched by each step only (the usual sparse approximation)."""
    n_classes = len(INTENTS)
    vocab = _vocabulary(docs, config["min_df"])
    rows = [[vocab[f] for f in doc if f in vocab] for doc in docs]
    scales = [1.0 / math.sqrt(len(doc)) if doc else 0.0 for doc in docs]
    weights = [[0.0] * n_classes for _ in range(len(vocab))]
    bias = [0.0] * n_classes
    l2, lr = config["l2"], config["lr"]
    for epoch in range(config["epochs"]):
        eta = lr / (1.0 + epoch)
        for i in _visit_order(len(rows), epoch):
            feats = rows[i]
            if not feats:
                continue
            x = scales[i]
            # fsum, not sum: float sum() became compensated in Python 3.12, and the model
            # must come out the same on every supported interpreter.
            sums = [math.fsum(col) for col in zip(*(weights[f] for f in feats), strict=True)]
            logits = [b + x * s for b, s in zip(bias, sums, strict=True)]
            top = max(logits)
            exps = [math.exp(z - top) for z in logits]
            total = math.fsum(exps)
            grad = [e / total for e in exps]
            grad[labels[i]] -= 1.0
            step = [eta * g * x for g in grad]
            decay = 1.0 - eta * l2
            for f in feats:
                weights[f] = [w * decay - s for w, s in zip(weights[f], step, strict=True)]
            bias = [b - eta * g for b, g in zip(bias, grad, strict=True)]
    features = sorted(vocab, key=vocab.__getitem__)
    sparse = {
        f: [(c, w) for c, w in enumerate(weights[vocab[f]]) if abs(w) >= 0.5 * 10**-WEIGHT_DECIMALS] for f in features
    }
    return {
        "bias": bias,
        "default": [0.0] * n_classes,
        "weights": {f: row for f, row in sparse.items() if row},
        "scaling": "sqrt",
    }


def fit(examples: Sequence[Example], config: dict, temperature: float = 1.0, other_offset: float = 0.0) -> dict:
    """Train one configuration and return the model as the JSON-ready dict the runtime loads."""
    docs = [extract_features(e.text) for e in examples]
    labels = [INTENTS.index(e.intent) for e in examples]
    family = config["family"]
    if family == "naive_bayes":
        params = _fit_naive_bayes(docs, labels, config)
    elif family == "logreg":
        params = _fit_logreg(docs, labels, config)
    else:
        raise ValueError(f"unknown model family {family!r}")
    params["bias"][INTENTS.index(FALLBACK_INTENT)] += other_offset
    r = WEIGHT_DECIMALS
    return {
        "format": MODEL_FORMAT,
        "feature_version": FEATURE_VERSION,
        "intents": list(INTENTS),
        "scaling": params["scaling"],
        "temperature": round(temperature, r),
        "full_coverage": FULL_COVERAGE,
        "bias": [round(b, r) for b in params["bias"]],
        "default": [round(d, r) for d in params["default"]],
        "weights": {f: [v for c, w in row for v in (c, round(w, r))] for f, row in sorted(params["weights"].items())},
    }


# ----------------------------------------------------------------- selection and metrics


def stratified_folds(examples: Sequence[Example], k: int) -> list[int]:
    """Fold index per example: the j-th example of each intent (file order) goes to fold j % k."""
    seen: Counter = Counter()
    folds = []
    for e in examples:
        folds.append(seen[e.intent] % k)
        seen[e.intent] += 1
    return folds


# (raw logits or None, share of known features), as returned by IntentModel.evidence.
Evidence = tuple[list[float] | None, float]


def _nll(evidence: Sequence[Evidence], labels: Sequence[int], beta: float) -> float:
    loss = 0.0
    for (logits, coverage), y in zip(evidence, labels, strict=True):
        probs = posterior(logits, coverage, 1.0 / beta, FULL_COVERAGE, len(INTENTS))
        loss -= math.log(max(probs[y], 1e-12))
    return loss / len(labels)


def fit_temperature(evidence: Sequence[Evidence], labels: Sequence[int]) -> float:
    """Temperature minimising NLL; NLL is unimodal in beta = 1/T, so a ternary search on beta suffices."""
    lo, hi = 1e-3, 20.0
    for _ in range(80):
        m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        if _nll(evidence, labels, m1) <= _nll(evidence, labels, m2):
            hi = m2
        else:
            lo = m1
    return 1.0 / ((lo + hi) / 2)


def _predict(evidence: Evidence, temperature: float) -> tuple[int, float]:
    logits, coverage = evidence
    probs = posterior(logits, coverage, temperature, FULL_COVERAGE, len(INTENTS))
    if logits is None:
        best = INTENTS.index(FALLBACK_INTENT)
    else:
        best = max(range(len(probs)), key=lambda k: (probs[k], -k))
    return best, probs[best]


def metrics(true: Sequence[str], pred: Sequence[str], confidence: Sequence[float] | None = None) -> dict:
    """Accuracy, macro-F1, per-intent P/R/F1, confusion matrix, and (with confidences)
    expected calibration error and how well a 0.5 threshold separates right from wrong."""
    n = len(true)
    confusion = [[0] * len(INTENTS) for _ in INTENTS]
    for t, p in zip(true, pred, strict=True):
        confusion[INTENTS.index(t)][INTENTS.index(p)] += 1
    per_intent = {}
    for i, intent in enumerate(INTENTS):
        tp = confusion[i][i]
        predicted = sum(row[i] for row in confusion)
        actual = sum(confusion[i])
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = {"precision": precision, "recall": recall, "f1": f1, "support": actual}
    result = {
        "n": n,
        "accuracy": sum(t == p for t, p in zip(true, pred, strict=True)) / n,
        "macro_f1": math.fsum(v["f1"] for v in per_intent.values()) / len(INTENTS),
        "per_intent": per_intent,
        "confusion": confusion,
    }
    if confidence is not None:
        correct = [t == p for t, p in zip(true, pred, strict=True)]
        bins: dict[int, list[tuple[float, bool]]] = {}
        for c, ok in zip(confidence, correct, strict=True):
            bins.setdefault(min(int(c * 10), 9), []).append((c, ok))
        result["ece"] = math.fsum(
            len(b) / n * abs(math.fsum(c for c, _ in b) / len(b) - sum(ok for _, ok in b) / len(b))
            for b in bins.values()
        )
        confident = [ok for c, ok in zip(confidence, correct, strict=True) if c >= 0.5]
        unsure = [ok for c, ok in zip(confidence, correct, strict=True) if c < 0.5]
        result["coverage_at_0.5"] = len(confident) / n
        result["accuracy_at_or_above_0.5"] = sum(confident) / len(confident) if confident else 0.0
        result["accuracy_below_0.5"] = sum(unsure) / len(unsure) if unsure else 0.0
    return result


def _shift_fallback(evidence: Sequence[Evidence], offset: float) -> list[Evidence]:
    k_other = INTENTS.index(FALLBACK_INTENT)
    return [
        (None if z is None else [v + offset if k == k_other else v for k, v in enumerate(z)], coverage)
        for z, coverage in evidence
    ]


def _score(examples: Sequence[Example], evidence: Sequence[Evidence], temperature: float) -> dict:
    preds = [_predict(ev, temperature) for ev in evidence]
    return metrics([e.intent for e in examples], [INTENTS[p] for p, _ in preds], [c for _, c in preds])


def cross_validate(examples: Sequence[Example], config: dict, k: int = CV_FOLDS) -> dict:
    """Out-of-fold evidence for every training example, then the two post-hoc parameters and
    the metrics on them:

    - ``other_offset``: added to the "other" logit. "other" has no vocabulary of its own
      (greetings, off-topic, noise), so with a flat prior weakly-matched text gets pulled
      into a real intent; the offset that maximises out-of-fold macro-F1 is kept
      (searched in steps of a tenth of the unshifted temperature, smallest wins ties).
    - ``temperature``: minimises out-of-fold NLL, so ``confidence`` is calibrated.
    """
    folds = stratified_folds(examples, k)
    oof: list[Evidence] = [(None, 0.0)] * len(examples)
    for fold in range(k):
        train = [e for e, f in zip(examples, folds, strict=True) if f != fold]
        model = IntentModel(fit(train, config))
        for i, (e, f) in enumerate(zip(examples, folds, strict=True)):
            if f == fold:
                oof[i] = model.evidence(e.text)
    labels = [INTENTS.index(e.intent) for e in examples]
    base_temperature = fit_temperature(oof, labels)
    best_offset, best_f1 = 0.0, -1.0
    for step in range(31):
        offset = step * base_temperature / 10
        f1 = _score(examples, _shift_fallback(oof, offset), base_temperature)["macro_f1"]
        if f1 > best_f1 + 1e-9:
            best_offset, best_f1 = offset, f1
    shifted = _shift_fallback(oof, best_offset)
    temperature = fit_temperature(shifted, labels)
    scored = _score(examples, shifted, temperature)
    scored["nll"] = _nll(shifted, labels, 1.0 / temperature)
    scored["temperature"] = temperature
    scored["other_offset"] = best_offset
    return scored


def _summary(cv: dict) -> dict:
    keys = (
        "accuracy",
        "macro_f1",
        "nll",
        "ece",
        "temperature",
        "other_offset",
        "coverage_at_0.5",
        "accuracy_at_or_above_0.5",
        "accuracy_below_0.5",
    )
    return {key: round(cv[key], 4) for key in keys}


def build_model(train_path: Path | str = TRAIN_PATH, candidates: Iterable[dict] = CANDIDATES) -> tuple[dict, dict]:
    """Select a configuration by k-fold CV on the training file, refit it on all of it.

    Returns (model dict ready for json, full CV report of the chosen config)."""
    examples = load_examples(train_path)
    results = []
    for config in candidates:
        cv = cross_validate(examples, config)
        results.append((config, cv))
    top_f1 = max(cv["macro_f1"] for _, cv in results)
    best_config, best_cv = next((c, cv) for c, cv in results if cv["macro_f1"] >= top_f1 - SELECTION_TOLERANCE)
    model = fit(examples, best_config, temperature=best_cv["temperature"], other_offset=best_cv["other_offset"])
    model["training"] = {
        "train_sha256": file_sha256(train_path),
        "n_examples": len(examples),
        "per_intent": dict(sorted(Counter(e.intent for e in examples).items())),
        "config": best_config,
        "cv_folds": CV_FOLDS,
        "selection": f"earliest candidate within {SELECTION_TOLERANCE} of the best CV macro-F1",
        "cv": _summary(best_cv),
        "candidates": [{"config": c, "cv": _summary(r)} for c, r in results],
    }
    return model, best_cv


def dumps(model: dict) -> str:
    return json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def evaluate(model: IntentModel, examples: Sequence[Example]) -> dict:
    results = [model.classify(e.text) for e in examples]
    return metrics([e.intent for e in examples], [r.intent for r in results], [r.confidence for r in results])


# --------------------------------------------------------------------------- reporting

ABBREVIATIONS = {
    "account_locked": "lock",
    "password_reset": "pwd",
    "account_profile": "prof",
    "payment_failed": "payf",
    "duplicate_payment": "dup",
    "transaction_history": "hist",
    "unrecognized_transaction": "unrc",
    "complaint": "cmpl",
    "product_info": "prod",
    "human_agent": "human",
    "other": "other",
}


def format_report(result: dict) -> str:
    lines = [
        f"accuracy  {result['accuracy']:.4f}   macro-F1  {result['macro_f1']:.4f}   (n={result['n']})",
    ]
    if "ece" in result:
        lines.append(
            f"calibration: ECE {result['ece']:.4f}; confidence>=0.5 on {result['coverage_at_0.5']:.1%} of "
            f"utterances with accuracy {result['accuracy_at_or_above_0.5']:.4f}, "
            f"below 0.5 accuracy {result['accuracy_below_0.5']:.4f}"
        )
    lines.append("")
    lines.append(f"{'intent':<26}{'prec':>7}{'recall':>8}{'f1':>7}{'n':>5}")
    for intent, v in result["per_intent"].items():
        lines.append(f"{intent:<26}{v['precision']:>7.3f}{v['recall']:>8.3f}{v['f1']:>7.3f}{v['support']:>5}")
    lines.append("")
    lines.append("confusion matrix (rows = true, cols = predicted)")
    short = [ABBREVIATIONS[i] for i in INTENTS]
    lines.append(" " * 7 + "".join(f"{s:>6}" for s in short))
    for s, row in zip(short, result["confusion"], strict=True):
        lines.append(f"{s:<7}" + "".join(f"{v:>6}" for v in row))
    return "\n".join(lines)
