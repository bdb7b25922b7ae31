"""The intent ids (DESIGN.md's fixed list): the classifier's labels and the API's `Intent` vocabulary.

A module of its own, so that what needs only the ids (domain.models, the templates) does not import the
classifier's module and its feature extraction: the Connect and contacts handlers import the models."""

from __future__ import annotations

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
