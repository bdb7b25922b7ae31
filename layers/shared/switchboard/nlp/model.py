"""Runtime intent model: a linear scorer over sparse binary features + temperature softmax.

Both model families the trainer can choose from reduce to the same runtime form,

    logit[c] = bias[c] + s * (k * default[c] + sum_{f in text, known} weight[f][c])

where k is the number of the text's features known to the model, s is 1 ("none") or
1/sqrt(number of all the text's features, known or not) ("sqrt"), and `default` lets
naive Bayes store only the classes in which a feature was actually seen. Dividing by all
features, not just the known ones, is deliberate: mostly-unfamiliar text (gibberish,
off-topic) gets logits close to the bias.

Probabilities are softmax(logit / temperature), mixed with a uniform distribution when
much of the text is unknown to the model (see `posterior`). The temperature is fitted on
cross-validated predictions, so `confidence` is calibrated.

The JSON model is read once per process on first use, never at import time.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass

from .features import FEATURE_VERSION, extract_features

INTENTS: tuple[str, ...] = (
    "account_locked",
    "password_reset",
    "account_profile",
    "payment_failed",
    "duplicate_payment",
    "transaction_history",
    "unrecognized_transaction",
    "complaint",
    "product_info",
    "human_agent",
    "other",
)

MODEL_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "intent_model.json")
FALLBACK_INTENT = "other"
MODEL_FORMAT = 2

_CACHE: dict[str, IntentModel] = {}


@dataclass(frozen=True)
class TextClassification:
    intent: str
    confidence: float
    scores: dict[str, float]


class IntentModel:
    def __init__(self, data: dict) -> None:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"intent model format {data.get('format')!r}, runtime expects {MODEL_FORMAT}")
        if data.get("feature_version") != FEATURE_VERSION:
            raise ValueError(
                f"intent model built with features {data.get('feature_version')!r}, runtime has {FEATURE_VERSION!r}"
            )
        self.intents: tuple[str, ...] = tuple(data["intents"])
        if set(self.intents) != set(INTENTS):
            raise ValueError(f"intent model labels {self.intents} do not match INTENTS")
        self.bias: list[float] = [float(b) for b in data["bias"]]
        self.default: list[float] = [float(d) for d in data["default"]]
        self.scaling: str = data["scaling"]
        self.temperature: float = float(data["temperature"])
        self.full_coverage: float = float(data["full_coverage"])
        # Stored as flat [class_index, weight, class_index, weight, ...] to keep the file small.
        self.weights: dict[str, tuple[tuple[int, float], ...]] = {
            feat: tuple((int(flat[i]), float(flat[i + 1])) for i in range(0, len(flat), 2))
            for feat, flat in data["weights"].items()
        }
        self.metadata: dict = data.get("training", {})

    def evidence(self, text: str) -> tuple[list[float] | None, float]:
        """Raw (pre-temperature) class scores and the share of the text's features the model
        knows. Scores are None when it knows none of them."""
        acc = [0.0] * len(self.intents)
        known = 0
        feats = extract_features(text)
        for feat in feats:
            row = self.weights.get(feat)
            if row is None:
                continue
            known += 1
            for k, w in row:
                acc[k] += w
        if known == 0:
            return None, 0.0
        scale = 1.0 / math.sqrt(len(feats)) if self.scaling == "sqrt" else 1.0
        logits = [b + scale * (known * d + a) for b, d, a in zip(self.bias, self.default, acc, strict=True)]
        return logits, known / len(feats)

    def classify(self, text: str) -> TextClassification:
        logits, coverage = self.evidence(text)
        probs = posterior(logits, coverage, self.temperature, self.full_coverage, len(self.intents))
        if logits is None:
            best = self.intents.index(FALLBACK_INTENT)
        else:
            best = max(range(len(probs)), key=lambda k: (probs[k], -k))
        scores = {intent: p for intent, p in zip(self.intents, probs, strict=True)}
        return TextClassification(self.intents[best], probs[best], scores)


def posterior(
    logits: list[float] | None, coverage: float, temperature: float, full_coverage: float, n_classes: int
) -> list[float]:
    """softmax(logits / temperature), shrunk toward uniform when less than `full_coverage`
    of the text's features are known to the model.

    Without the shrinkage, mostly-unknown text (keyboard mash, a topic we never trained on)
    gets logits close to the bias and "other" wins with a confident-looking probability;
    what we actually know about such text is little, and the confidence should say so.
    Mixing with uniform never changes the argmax, only the confidence.
    """
    uniform = 1.0 / n_classes
    if logits is None:
        return [uniform] * n_classes
    trust = min(1.0, coverage / full_coverage) if full_coverage > 0 else 1.0
    top = max(logits)
    exps = [math.exp((z - top) / temperature) for z in logits]
    total = math.fsum(exps)
    return [trust * e / total + (1.0 - trust) * uniform for e in exps]


def load_model(path: str = MODEL_PATH) -> IntentModel:
    with open(path, encoding="utf-8") as f:
        return IntentModel(json.load(f))


def get_model() -> IntentModel:
    """The shipped model, loaded on first call and cached for the life of the process."""
    model = _CACHE.get("intent")
    if model is None:
        model = _CACHE["intent"] = load_model()
    return model


def is_loaded() -> bool:
    return "intent" in _CACHE


def classify_text(text: str) -> TextClassification:
    return get_model().classify(text or "")
