"""Customer-text understanding: intent classification, reply language, anger/escalation cues.

Importing this package is cheap: each name's module is imported when the name is first used (a
handler that needs only INTENTS does not compile the sentiment or concept patterns), and the intent
model is read on the first classify_text call.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .intents import INTENTS
    from .language import detect_language
    from .model import TextClassification, classify_text
    from .sentiment import Sentiment, assess_sentiment

_MODULE_OF = {
    "detect_language": "language",
    "INTENTS": "intents",
    "TextClassification": "model",
    "classify_text": "model",
    "Sentiment": "sentiment",
    "assess_sentiment": "sentiment",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)


__all__ = [
    "INTENTS",
    "Sentiment",
    "TextClassification",
    "assess_sentiment",
    "classify_text",
    "detect_language",
]
