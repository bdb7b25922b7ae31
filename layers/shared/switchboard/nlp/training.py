"""Training, model selection and evaluation for the intent model.

Used by tools/train_intents.py, tools/eval_intents.py and the tests; never imported on the
Lambda runtime path (scikit-learn, numpy and scipy are dev dependencies only: the runtime
in model.py is plain Python). Everything is deterministic: folds are assigned by position
within each intent, the solvers get a fixed seed, and the model JSON is written with
sorted keys, so the same train.jsonl yields the same model on the same library versions.

What cross-validation decides, all on data/intents/train.jsonl only:
- the model family and its hyper-parameters (CANDIDATES, best out-of-fold macro-F1);
- ``temperature`` (calibrated confidence) and ``other_offset`` (see cross_validate);
- ``secondary_threshold``: how sure the model must be of a clause's intent for it to count
  as a need of its own (best out-of-fold exact match of primary and secondary);
- ``threshold``: the lowest confidence at which the primary is acted on; below it the
  customer is asked or handed to a person. The smallest one whose out-of-fold misroute
  rate (confident and wrong, over all messages) is at most MISROUTE_TARGET.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .features import FEATURE_VERSION, extract_features
from .model import FALLBACK_INTENT, INTENTS, MODEL_FORMAT, IntentModel, clauses, decide, posterior

REPO_ROOT = Path(__file__).resolve().parents[4]
DATA_DIR = REPO_ROOT / "data" / "intents"
TRAIN_PATH = DATA_DIR / "train.jsonl"
HELDOUT_PATH = DATA_DIR / "heldout.jsonl"
HELDOUT_HARD_PATH = DATA_DIR / "heldout_hard.jsonl"
CV_FOLDS = 5
# Share of a text's features the model must know for its confidence to be taken at face
# value (model.posterior). A design constant, not tuned: it cannot change any prediction,
# only lower the confidence of mostly-unknown text.
FULL_COVERAGE = 0.4
# Among candidates whose CV macro-F1 is within this of the best, the earliest listed
# (cheapest to train, smallest to ship) wins: smaller differences are fold noise.
SELECTION_TOLERANCE = 0.005
# The misroute rate the confidence threshold is chosen for on out-of-fold predictions.
# The bound is 3 % on unseen text; CV is optimistic, so the target leaves room.
# (At 1.5 % the threshold deferred a third of all messages to a person on CV.)
MISROUTE_TARGET = 0.02

# Candidate configurations, in order of preference when CV scores tie (cheapest first).
# min_df: document frequency below which a feature is dropped; cjk_max: longest CJK
# character n-gram; secondary_weight: weight of the extra copy of a two-needs example
# labelled with its secondary intent (0 = primary only).
CANDIDATES: tuple[dict, ...] = (
    {"family": "naive_bayes", "alpha": 0.3, "min_df": 1, "cjk_max": 3, "secondary_weight": 0.5},
    {"family": "logreg", "C": 10.0, "min_df": 2, "cjk_max": 3, "secondary_weight": 0.5},
    {"family": "logreg", "C": 30.0, "min_df": 1, "cjk_max": 3, "secondary_weight": 0.5},
    {"family": "logreg", "C": 30.0, "min_df": 1, "cjk_max": 4, "secondary_weight": 0.5},
)

Progress = Callable[[str], None]


def _silent(_: str) -> None:
    return None


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: str
    style: str = "plain"
    variety: str = ""
    secondary: str | None = None


def load_examples(path: Path | str) -> list[Example]:
    examples = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            for field in ("intent", "secondary"):
                if row.get(field) is not None and row[field] not in INTENTS:
                    raise ValueError(f"{path}:{line_no}: unknown {field} {row[field]!r}")
            examples.append(
                Example(
                    row["text"],
                    row["intent"],
                    row["language"],
                    row.get("style", "plain"),
                    row.get("variety", ""),
                    row.get("secondary"),
                )
            )
    return examples


def file_sha256(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --------------------------------------------------------------------------- fitting


def _design(docs: Sequence[list[str]], vocab: dict[str, int], scaling: str):
    """Sparse matrix of the binary features; "sqrt" divides each row by sqrt(number of all
    the text's features), exactly as the runtime does."""
    import scipy.sparse as sp

    indices, indptr, values = [], [0], []
    for doc in docs:
        value = 1.0 / math.sqrt(len(doc)) if scaling == "sqrt" and doc else 1.0
        for feat in doc:
            col = vocab.get(feat)
            if col is not None:
                indices.append(col)
                values.append(value)
        indptr.append(len(indices))
    return sp.csr_matrix((values, indices, indptr), shape=(len(docs), len(vocab)))


def fit(
    examples: Sequence[Example],
    config: dict,
    temperature: float = 1.0,
    other_offset: float = 0.0,
    secondary_threshold: float = 1.01,
    threshold: float = 0.0,
) -> dict:
    """Train one configuration and return the model as the JSON-ready dict the runtime loads."""
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB

    cjk_max = config["cjk_max"]
    docs = [extract_features(e.text, cjk_max) for e in examples]
    df = Counter(f for doc in docs for f in doc)
    features = sorted(f for f, n in df.items() if n >= config["min_df"])
    vocab = {f: i for i, f in enumerate(features)}
    labels = [INTENTS.index(e.intent) for e in examples]
    sample_weight = [1.0] * len(examples)
    extra = config.get("secondary_weight", 0.0)
    if extra > 0:
        for doc, e in zip(list(docs), examples, strict=True):
            if e.secondary:
                docs.append(doc)
                labels.append(INTENTS.index(e.secondary))
                sample_weight.append(extra)
    family = config["family"]
    scaling = "sqrt" if family == "logreg" else "none"
    x = _design(docs, vocab, scaling)
    if family == "naive_bayes":
        clf = MultinomialNB(alpha=config["alpha"])
    elif family == "logreg":
        clf = LogisticRegression(C=config["C"], solver="saga", tol=1e-3, max_iter=300, random_state=0)
    else:
        raise ValueError(f"unknown model family {family!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x, labels, sample_weight=sample_weight)
    if family == "naive_bayes":
        coef, bias = clf.feature_log_prob_, clf.class_log_prior_
    else:
        coef, bias = clf.coef_, clf.intercept_
    # Rows for classes in INTENTS order (every class occurs in any real training set).
    order = [list(clf.classes_).index(k) for k in range(len(INTENTS))]
    weights = np.asarray(coef)[order].T  # features x intents
    bias = np.asarray(bias, dtype=float)[order]
    # Softmax ignores a constant added to every class: centring each row keeps int16 precise.
    weights = weights - weights.mean(axis=1, keepdims=True)
    bias = bias - bias.mean()
    bias[INTENTS.index(FALLBACK_INTENT)] += other_offset
    peak = float(np.abs(weights).max()) if weights.size else 1.0
    quantum = (peak or 1.0) / 32767
    quantized = np.rint(weights / quantum).astype("<i2")
    return {
        "format": MODEL_FORMAT,
        "feature_version": FEATURE_VERSION,
        "intents": list(INTENTS),
        "scaling": scaling,
        "cjk_max": cjk_max,
        "temperature": round(temperature, 4),
        "full_coverage": FULL_COVERAGE,
        "secondary_threshold": round(secondary_threshold, 4),
        "threshold": round(threshold, 4),
        "bias": [round(float(b), 4) for b in bias],
        "quantum": float(f"{quantum:.6e}"),
        "vocabulary": "\n".join(features),
        "weights": base64.b64encode(quantized.tobytes()).decode("ascii"),
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
    for _ in range(60):
        m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        if _nll(evidence, labels, m1) <= _nll(evidence, labels, m2):
            hi = m2
        else:
            lo = m1
    return 1.0 / ((lo + hi) / 2)


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float
    secondary: str | None


# Out-of-fold evidence of one message: the whole text's, then each clause's.
Observation = tuple[Evidence, list[Evidence]]


def observe(model: IntentModel, text: str) -> Observation:
    return model.evidence(text), [model.evidence(part) for part in clauses(text)]


def _predict(observation: Observation, temperature: float, secondary_threshold: float) -> Prediction:
    (logits, coverage), parts = observation
    probs = posterior(logits, coverage, temperature, FULL_COVERAGE, len(INTENTS))
    if logits is None:
        return Prediction(FALLBACK_INTENT, probs[0], None)
    part_probs = [posterior(z, c, temperature, FULL_COVERAGE, len(INTENTS)) for z, c in parts]
    best, confidence, second = decide(probs, part_probs, INTENTS, secondary_threshold)
    return Prediction(INTENTS[best], confidence, None if second is None else INTENTS[second])


def _rates(examples: Sequence[Example], preds: Sequence[Prediction], threshold: float) -> dict:
    n = len(examples) or 1
    wrong = [e.intent != p.intent for e, p in zip(examples, preds, strict=True)]
    sure = [p.confidence >= threshold for p in preds]
    return {
        "n": len(examples),
        "accuracy": 1 - sum(wrong) / n,
        "misroute": sum(w and s for w, s in zip(wrong, sure, strict=True)) / n,
        "deferred": sum(not s for s in sure) / n,
    }


def metrics(examples: Sequence[Example], preds: Sequence[Prediction], threshold: float) -> dict:
    """Accuracy and macro-F1 of the primary intent, misroute and deferral rates at
    `threshold`, per-intent P/R/F1, confusion matrix, calibration, the secondary intent's
    recall and false-alarm rate, and the same rates per style and per variety."""
    true = [e.intent for e in examples]
    pred = [p.intent for p in preds]
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
    present = [v["f1"] for v in per_intent.values() if v["support"]]
    result = {
        **_rates(examples, preds, threshold),
        "threshold": threshold,
        "macro_f1": math.fsum(present) / len(present) if present else 0.0,
        "per_intent": per_intent,
        "confusion": confusion,
    }
    bins: dict[int, list[tuple[float, bool]]] = {}
    for prediction, t in zip(preds, true, strict=True):
        bins.setdefault(min(int(prediction.confidence * 10), 9), []).append(
            (prediction.confidence, prediction.intent == t)
        )
    result["ece"] = math.fsum(
        len(b) / n * abs(math.fsum(c for c, _ in b) / len(b) - sum(ok for _, ok in b) / len(b)) for b in bins.values()
    )
    two = [(e, p) for e, p in zip(examples, preds, strict=True) if e.secondary]
    one = [(e, p) for e, p in zip(examples, preds, strict=True) if not e.secondary]
    result["secondary"] = {
        "n_two_needs": len(two),
        "recall": sum(p.secondary == e.secondary for e, p in two) / len(two) if two else 0.0,
        "false_alarm": sum(p.secondary is not None for _, p in one) / len(one) if one else 0.0,
    }
    for key in ("style", "variety"):
        groups: dict[str, list[int]] = {}
        for i, e in enumerate(examples):
            groups.setdefault(getattr(e, key) or "?", []).append(i)
        result[f"by_{key}"] = {
            g: _rates([examples[i] for i in idx], [preds[i] for i in idx], threshold)
            for g, idx in sorted(groups.items())
        }
    return result


def _shift_one(evidence: Evidence, offset: float) -> Evidence:
    k_other = INTENTS.index(FALLBACK_INTENT)
    z, coverage = evidence
    return (None if z is None else [v + offset if k == k_other else v for k, v in enumerate(z)], coverage)


def _shift_fallback(observations: Sequence[Observation], offset: float) -> list[Observation]:
    return [(_shift_one(whole, offset), [_shift_one(p, offset) for p in parts]) for whole, parts in observations]


def _macro_f1(examples: Sequence[Example], preds: Sequence[Prediction]) -> float:
    scores = []
    for intent in INTENTS:
        tp = sum(e.intent == intent and p.intent == intent for e, p in zip(examples, preds, strict=True))
        predicted = sum(p.intent == intent for p in preds)
        actual = sum(e.intent == intent for e in examples)
        if not actual:
            continue
        scores.append(2 * tp / (predicted + actual) if predicted + actual else 0.0)
    return math.fsum(scores) / len(scores)


def choose_secondary_threshold(
    examples: Sequence[Example], observations: Sequence[Observation], temperature: float
) -> float:
    """The clause confidence from which a clause counts as a need of its own: best exact
    match of (primary, secondary) over all examples, the highest such threshold on ties."""
    best_t, best_score = 1.0, -1.0
    for step in range(99, 29, -3):
        t = step / 100
        preds = [_predict(ob, temperature, t) for ob in observations]
        score = sum(p.intent == e.intent and p.secondary == e.secondary for e, p in zip(examples, preds, strict=True))
        if score > best_score:
            best_t, best_score = t, score
    return best_t


def choose_threshold(
    examples: Sequence[Example], preds: Sequence[Prediction], target: float = MISROUTE_TARGET
) -> float:
    """The lowest confidence threshold whose misroute rate is at most `target`."""
    for step in range(0, 100):
        t = step / 100
        if _rates(examples, preds, t)["misroute"] <= target:
            return t
    return 1.0


def cross_validate(examples: Sequence[Example], config: dict, k: int = CV_FOLDS, progress: Progress = _silent) -> dict:
    """Out-of-fold evidence for every training example, then the post-hoc parameters and
    the metrics on them:

    - ``other_offset``: added to the "other" logit. "other" has no vocabulary of its own
      (greetings, off-topic, noise), so with a flat prior weakly-matched text gets pulled
      into a real intent; the offset that maximises out-of-fold macro-F1 is kept.
    - ``temperature``: minimises out-of-fold NLL, so ``confidence`` is calibrated.
    - ``secondary_threshold`` and ``threshold``: see the module docstring.
    """
    folds = stratified_folds(examples, k)
    oof: list[Observation] = [((None, 0.0), [])] * len(examples)
    for fold in range(k):
        progress(f"    fold {fold + 1}/{k}")
        train = [e for e, f in zip(examples, folds, strict=True) if f != fold]
        model = IntentModel(fit(train, config))
        for i, (e, f) in enumerate(zip(examples, folds, strict=True)):
            if f == fold:
                oof[i] = observe(model, e.text)
    labels = [INTENTS.index(e.intent) for e in examples]
    base_temperature = fit_temperature([whole for whole, _ in oof], labels)
    best_offset, best_f1 = 0.0, -1.0
    for step in range(21):
        offset = step * base_temperature / 10
        preds = [_predict(ob, base_temperature, 1.01) for ob in _shift_fallback(oof, offset)]
        f1 = _macro_f1(examples, preds)
        if f1 > best_f1 + 1e-9:
            best_offset, best_f1 = offset, f1
    shifted = _shift_fallback(oof, best_offset)
    temperature = fit_temperature([whole for whole, _ in shifted], labels)
    secondary_threshold = choose_secondary_threshold(examples, shifted, temperature)
    preds = [_predict(ob, temperature, secondary_threshold) for ob in shifted]
    threshold = choose_threshold(examples, preds)
    scored = metrics(examples, preds, threshold)
    scored["nll"] = _nll([whole for whole, _ in shifted], labels, 1.0 / temperature)
    scored["temperature"] = temperature
    scored["other_offset"] = best_offset
    scored["secondary_threshold"] = secondary_threshold
    return scored


SUMMARY_KEYS = (
    "accuracy",
    "macro_f1",
    "misroute",
    "deferred",
    "threshold",
    "nll",
    "ece",
    "temperature",
    "other_offset",
    "secondary_threshold",
)


def _summary(cv: dict) -> dict:
    out = {key: round(cv[key], 4) for key in SUMMARY_KEYS}
    out["secondary_recall"] = round(cv["secondary"]["recall"], 4)
    out["secondary_false_alarm"] = round(cv["secondary"]["false_alarm"], 4)
    return out


def build_model(
    train_path: Path | str = TRAIN_PATH,
    candidates: Iterable[dict] = CANDIDATES,
    progress: Progress = _silent,
    examples: Sequence[Example] | None = None,
    k: int = CV_FOLDS,
) -> tuple[dict, dict]:
    """Select a configuration by k-fold CV on the training file, refit it on all of it.

    Returns (model dict ready for json, full CV report of the chosen config)."""
    examples = list(examples) if examples is not None else load_examples(train_path)
    candidates = list(candidates)
    results = []
    for i, config in enumerate(candidates, 1):
        progress(f"  candidate {i}/{len(candidates)}: {describe(config)}")
        cv = cross_validate(examples, config, k, progress)
        progress(
            f"    CV accuracy {cv['accuracy']:.4f}, macro-F1 {cv['macro_f1']:.4f}, "
            f"misroute {cv['misroute']:.2%} at threshold {cv['threshold']:.2f} (deferred {cv['deferred']:.1%})"
        )
        results.append((config, cv))
    top_f1 = max(cv["macro_f1"] for _, cv in results)
    best_config, best_cv = next((c, cv) for c, cv in results if cv["macro_f1"] >= top_f1 - SELECTION_TOLERANCE)
    progress(f"  refit on all {len(examples)} examples: {describe(best_config)}")
    model = fit(
        examples,
        best_config,
        temperature=best_cv["temperature"],
        other_offset=best_cv["other_offset"],
        secondary_threshold=best_cv["secondary_threshold"],
        threshold=best_cv["threshold"],
    )
    model["training"] = {
        "train_sha256": file_sha256(train_path),
        "n_examples": len(examples),
        "per_intent": dict(sorted(Counter(e.intent for e in examples).items())),
        "config": best_config,
        "cv_folds": k,
        "selection": f"earliest candidate within {SELECTION_TOLERANCE} of the best CV macro-F1",
        "misroute_target": MISROUTE_TARGET,
        "cv": _summary(best_cv),
        "candidates": [{"config": c, "cv": _summary(r)} for c, r in results],
    }
    return model, best_cv


def describe(config: dict) -> str:
    items = sorted(config.items(), key=lambda kv: kv[0] != "family")  # family first
    return ", ".join(f"{k}={v}" for k, v in items)


def dumps(model: dict) -> str:
    return json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def evaluate(model: IntentModel, examples: Sequence[Example]) -> dict:
    preds = []
    for e in examples:
        r = model.classify(e.text)
        preds.append(Prediction(r.intent, r.confidence, r.secondary))
    return metrics(examples, preds, model.threshold)


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


def format_report(result: dict, confusion: bool = True) -> str:
    sec = result["secondary"]
    lines = [
        f"accuracy {result['accuracy']:.4f}   macro-F1 {result['macro_f1']:.4f}   (n={result['n']})",
        f"misroute {result['misroute']:.2%} (confident and wrong)   deferred to a question/person "
        f"{result['deferred']:.1%}   at threshold {result['threshold']:.2f}   ECE {result['ece']:.4f}",
        f"two needs: secondary found {sec['recall']:.1%} of {sec['n_two_needs']}; "
        f"false secondary on one-need messages {sec['false_alarm']:.1%}",
        "",
        f"{'intent':<26}{'prec':>7}{'recall':>8}{'f1':>7}{'n':>5}",
    ]
    for intent, v in result["per_intent"].items():
        lines.append(f"{intent:<26}{v['precision']:>7.3f}{v['recall']:>8.3f}{v['f1']:>7.3f}{v['support']:>5}")
    if confusion:
        lines.append("")
        lines.append("confusion matrix (rows = true, cols = predicted)")
        short = [ABBREVIATIONS[i] for i in INTENTS]
        lines.append(" " * 7 + "".join(f"{s:>6}" for s in short))
        for s, row in zip(short, result["confusion"], strict=True):
            lines.append(f"{s:<7}" + "".join(f"{v:>6}" for v in row))
    return "\n".join(lines)


def format_groups(results: dict[str, dict], key: str) -> str:
    """One row per group (style or variety), one column block per result set."""
    names = list(results)
    groups = sorted({g for r in results.values() for g in r[f"by_{key}"]})
    head = f"{key:<13}" + "".join(f"{name:>27}" for name in names)
    sub = " " * 13 + "".join(f"{'n':>6}{'acc':>7}{'misr':>7}{'defer':>7}" for _ in names)
    lines = [head, sub]
    for g in groups:
        row = f"{g:<13}"
        for name in names:
            v = results[name][f"by_{key}"].get(g)
            row += (
                f"{v['n']:>6}{v['accuracy']:>7.3f}{v['misroute']:>7.1%}{v['deferred']:>7.1%}"
                if v
                else f"{'-':>6}{'':>21}"
            )
        lines.append(row)
    return "\n".join(lines)


def progress_printer(text: str) -> None:
    print(text, flush=True)
    sys.stdout.flush()
