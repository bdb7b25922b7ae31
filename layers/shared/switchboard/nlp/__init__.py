"""Customer-text understanding: intent classification, reply language, anger/escalation cues.

Importing this package is cheap; the intent model is read on the first classify_text call.
"""

from __future__ import annotations

from .language import detect_language
from .model import INTENTS, TextClassification, classify_text
from .sentiment import Sentiment, assess_sentiment

__all__ = [
    "INTENTS",
    "Sentiment",
    "TextClassification",
    "assess_sentiment",
    "classify_text",
    "detect_language",
]
