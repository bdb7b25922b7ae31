"""nlp.clarify: which of the offered needs a customer's answer to the clarifying question picks."""

from __future__ import annotations

import pytest
from switchboard.nlp.clarify import chosen_need

CHOICES = ["duplicate_payment", "payment_failed", "complaint"]


@pytest.mark.parametrize(
    ("answer", "need"),
    [
        ("2", "payment_failed"),
        ("２", "payment_failed"),
        ("选2", "payment_failed"),
        ("第二个", "payment_failed"),
        ("the second one", "payment_failed"),
        ("Number 2 please", "payment_failed"),
        ("option three", "complaint"),
        ("3rd", "complaint"),
        ("the refund please", "duplicate_payment"),
        ("我要退款", "duplicate_payment"),
        ("付款失败了", "payment_failed"),
        ("I paid 2 times for the same coffee", "duplicate_payment"),  # a number inside a story is not a choice
    ],
)
def test_a_clear_answer_picks_one_need(answer, need):
    assert chosen_need(answer, CHOICES) == need


@pytest.mark.parametrize("answer", ["5", "1 or 2", "both", "不知道", "hmm", "", "   "])
def test_an_unclear_answer_picks_none(answer):
    assert chosen_need(answer, CHOICES) is None
