"""The customer's answer to a clarifying question ("which of these do you need?"): the offered need
they chose, by its number ("2", "第二个", "the second one") or in their own words ("the refund"),
or None when the answer does not pick exactly one of them (a person then decides)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# A number answers the question only in a short reply: in a long one ("I paid 2 times") it is part
# of the story, and the words decide.
SHORT_ANSWER_CHARS = 20
# Answered in words: the model's top need must be one of the choices and hold at least this share
# of the choices' probability (a design constant: an unclear answer goes to a person, never a guess).
WORDS_SHARE = 0.8

_NUMBER = re.compile(r"(?<![0-9])[0-9]{1,2}(?![0-9])")
_ORDINALS = (
    (1, re.compile(r"第一|^一个?$|(?<![a-z])(?:first|1st)(?![a-z])|^(?:option |number )?one$")),
    (2, re.compile(r"第二|^[二两]个?$|(?<![a-z])(?:second|2nd)(?![a-z])|^(?:option |number )?two$")),
    (3, re.compile(r"第三|^三个?$|(?<![a-z])(?:third|3rd)(?![a-z])|^(?:option |number )?three$")),
)
_PUNCTUATION = re.compile(r"[\W_]+")


def chosen_number(answer: str, n_choices: int) -> int | None:
    """1-based number of the choice a short answer names, or None (none, or more than one)."""
    text = _PUNCTUATION.sub(" ", unicodedata.normalize("NFKC", answer).lower()).strip()
    if len(text) > SHORT_ANSWER_CHARS:
        return None
    named = {int(m) for m in _NUMBER.findall(text)} | {k for k, pattern in _ORDINALS if pattern.search(text)}
    if len(named) != 1:
        return None
    (number,) = named
    return number if 1 <= number <= n_choices else None


def chosen_need(answer: str, choices: Sequence[str]) -> str | None:
    """The need of `choices` the answer picks, or None when it picks none or is unclear."""
    if not choices or not answer.strip():
        return None
    number = chosen_number(answer, len(choices))
    if number is not None:
        return choices[number - 1]
    if _PUNCTUATION.sub("", unicodedata.normalize("NFKC", answer)).isdigit():
        return None  # a bare number that is not one of the choices
    from .model import classify_text

    predicted = classify_text(answer)
    offered = {need: predicted.scores.get(need, 0.0) for need in choices}
    best = max(offered, key=offered.__getitem__)
    total = sum(offered.values())
    if predicted.intent == best and total > 0 and offered[best] / total >= WORDS_SHARE:
        return best
    return None
