"""Runtime intent model: a linear scorer over sparse binary features + temperature softmax,
then the two-needs and ask-instead-of-guess decisions.

Every model family the trainer can choose from reduces to the same runtime form,

    logit[c] = bias[c] + s * sum_{f in text, known} weight[f][c]

where s is 1 ("none", naive Bayes) or 1/sqrt(number of all the text's features, known or
not) ("sqrt", logistic regression). Dividing by all features, not just the known ones, is
deliberate: mostly-unfamiliar text (gibberish, off-topic) gets logits close to the bias.

Probabilities are softmax(logit / temperature), mixed with a uniform distribution when
much of the text is unknown to the model (see `posterior`). The temperature is fitted on
cross-validated predictions, so `confidence` is calibrated.

Weights are stored densely as int16 (one row of len(intents) per feature, base64) with
one dequantisation step, and the vocabulary as one newline-joined string: the file stays
well under 2 MB and loads in a few milliseconds, because no per-feature Python objects
are built beyond one dict entry.

The JSON model is read once per process on first use, never at import time.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import sys
from array import array
from dataclasses import dataclass

from .features import FEATURE_VERSION, extract_features, normalize
from .intents import INTENTS

# Which of two needs decides the route (label rule of data/intents/DATASHEET.md): fraud
# first, then money and account access, then complaints, then information and profile
# changes, then a bare wish for a person; "other" is never a need. Lower tier wins; inside
# a tier the need stated first does.
PRECEDENCE_TIER: dict[str, int] = {
    "unrecognized_transaction": 0,
    "duplicate_payment": 1,
    "payment_failed": 1,
    "account_locked": 1,
    "password_reset": 1,
    "complaint": 2,
    "account_profile": 3,
    "transaction_history": 3,
    "product_info": 3,
    "human_agent": 4,
    "other": 5,
}

# Feature kinds that say whether the model knows the text (see IntentModel.evidence).
ANCHORS = ("w:", "c:")

MODEL_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "intent_model.json")
FALLBACK_INTENT = "other"
MODEL_FORMAT = 3

_CACHE: dict[str, IntentModel] = {}


@dataclass(frozen=True)
class TextClassification:
    intent: str
    confidence: float
    scores: dict[str, float]
    # A second need in the same message (None when there is one need), and the model's
    # threshold below which `intent` must not be acted on automatically (ask or a person).
    secondary: str | None = None
    threshold: float = 0.0
    # When unsure: the two or three likely needs to offer the customer as choices (most
    # probable first); empty when sure, or when fewer than two needs are likely at all.
    clarify: tuple[str, ...] = ()

    @property
    def unsure(self) -> bool:
        return self.confidence < self.threshold


# A clarifying question offers needs of at least CLARIFY_MIN probability, most probable
# first, at most three, stopping once they cover CLARIFY_MASS. Design constants: the
# question is only asked when the model is unsure anyway, and "other" is never a choice.
CLARIFY_MIN = 0.1
CLARIFY_MASS = 0.9


def clarify_choices(probs: list[float], intents: tuple[str, ...]) -> tuple[str, ...]:
    ranked = sorted((k for k in range(len(probs)) if intents[k] != FALLBACK_INTENT), key=lambda k: (-probs[k], k))
    chosen: list[int] = []
    for k in ranked[:3]:
        if probs[k] < CLARIFY_MIN or sum(probs[j] for j in chosen) >= CLARIFY_MASS:
            break
        chosen.append(k)
    return tuple(intents[k] for k in chosen) if len(chosen) >= 2 else ()


# Where one need ends and the next may begin: sentence punctuation and the connectives
# customers join two requests with (matched on normalize()d text, so Traditional forms
# are covered by their Simplified spelling).
_CLAUSE_BREAK = re.compile(
    r"[,.;!?,。;!?、\n]+|另外|顺便|还有|而且|然后|并且|以及|同时|再说|"
    r"(?<![a-z])(?:and also|also|plus|as well as|by the way|btw|and|but|while)(?![a-z])"
)


def clauses(text: str) -> list[str]:
    """The message cut at clause breaks; [] when it has only one clause."""
    parts = [p.strip() for p in _CLAUSE_BREAK.split(normalize(text))]
    parts = [p for p in parts if p]
    return parts if len(parts) > 1 else []


Probabilities = list[float]


def decide(
    whole: Probabilities, parts: list[Probabilities], intents: tuple[str, ...], secondary_threshold: float
) -> tuple[int, float, int | None]:
    """(primary, its confidence, secondary) from the whole message's probabilities and its
    clauses' probabilities.

    Two needs are two different intents (not "other") that clauses reach with at least
    `secondary_threshold`; then precedence, not probability, decides which one routes,
    and its confidence is that of its clause. Otherwise the whole message decides, unless
    its only confident clause names a need the whole message also leans to (or leaves to
    "other")."""
    needs: dict[int, float] = {}
    first: dict[int, int] = {}  # the clause a need is first stated in
    for position, probs in enumerate(parts):
        k = max(range(len(probs)), key=lambda j: (probs[j], -j))
        if probs[k] >= secondary_threshold and intents[k] != FALLBACK_INTENT:
            needs[k] = max(needs.get(k, 0.0), probs[k])
            first.setdefault(k, position)
    if len(needs) >= 2:
        # the label rule: the lower tier routes, and inside a tier the need stated first
        a = min(needs, key=lambda k: (PRECEDENCE_TIER[intents[k]], first[k]))
        b = max((k for k in needs if k != a), key=lambda k: (needs[k], -k))
        return a, needs[a], b
    best = max(range(len(whole)), key=lambda j: (whole[j], -j))
    if len(needs) == 1:
        # One clear need among greetings and thanks ("Hello, what are your hours? Thank you."):
        # the small talk must not dilute it.
        (k, p), fallback = next(iter(needs.items())), intents.index(FALLBACK_INTENT)
        if best in (k, fallback):
            return k, max(p, whole[k]), None
    return best, whole[best], None


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
        self.scaling: str = data["scaling"]
        self.temperature: float = float(data["temperature"])
        self.full_coverage: float = float(data["full_coverage"])
        self.cjk_max: int = int(data["cjk_max"])
        self.secondary_threshold: float = float(data["secondary_threshold"])
        self.threshold: float = float(data["threshold"])
        vocabulary = data["vocabulary"].split("\n") if data["vocabulary"] else []
        self.index: dict[str, int] = {feat: i for i, feat in enumerate(vocabulary)}
        weights = array("h")
        weights.frombytes(base64.b64decode(data["weights"]))
        if sys.byteorder == "big":
            weights.byteswap()  # stored little-endian
        if len(weights) != len(vocabulary) * len(self.intents):
            raise ValueError("intent model weights do not match its vocabulary")
        # One int16 column per intent: sum(map(column.__getitem__, rows)) adds a text's
        # weights in C, which is most of the per-message time on long messages.
        n = len(self.intents)
        self.columns: list[array] = [weights[k::n] for k in range(n)]
        self.quantum: float = float(data["quantum"])
        self.metadata: dict = data.get("training", {})

    def evidence(self, text: str) -> tuple[list[float] | None, float]:
        """Raw (pre-temperature) class scores and the share of the text's words and CJK
        n-grams (ANCHORS) the model knows: character n-grams inside unknown Latin words
        ("blah", keyboard mash) match something almost always, so they do not count as
        knowing the text. Scores are None when the model knows none of its anchors."""
        feats = extract_features(text, self.cjk_max)
        index = self.index
        rows = [i for i in map(index.get, feats) if i is not None]
        anchors = [f for f in feats if f.startswith(ANCHORS)]
        known_anchors = sum(f in index for f in anchors)
        if known_anchors == 0:  # not one word or CJK n-gram it knows: it cannot tell
            return None, 0.0
        acc = [sum(map(column.__getitem__, rows)) for column in self.columns]
        scale = self.quantum / math.sqrt(len(feats)) if self.scaling == "sqrt" else self.quantum
        return [b + scale * a for b, a in zip(self.bias, acc, strict=True)], known_anchors / len(anchors)

    def probabilities(self, text: str) -> Probabilities:
        logits, coverage = self.evidence(text)
        return posterior(logits, coverage, self.temperature, self.full_coverage, len(self.intents))

    def classify(self, text: str) -> TextClassification:
        logits, coverage = self.evidence(text)
        probs = posterior(logits, coverage, self.temperature, self.full_coverage, len(self.intents))
        scores = {intent: p for intent, p in zip(self.intents, probs, strict=True)}
        if logits is None:
            fallback = self.intents.index(FALLBACK_INTENT)
            return TextClassification(FALLBACK_INTENT, probs[fallback], scores, threshold=self.threshold)
        parts = [self.probabilities(part) for part in clauses(text)]
        best, confidence, second = decide(probs, parts, self.intents, self.secondary_threshold)
        return TextClassification(
            self.intents[best],
            confidence,
            scores,
            secondary=None if second is None else self.intents[second],
            threshold=self.threshold,
            clarify=clarify_choices(probs, self.intents) if confidence < self.threshold else (),
        )


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
