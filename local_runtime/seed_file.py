"""The seed file's shape, checked before the runtime starts: a bad file is refused with the field named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from switchboard.domain.models import Language, Queue

Text = Annotated[str, Field(min_length=1, max_length=200)]
# ISO-8601 UTC, or relative to load time: now, now-2d, now-2d-5m (see README "Seed file")
WHEN = r"^(now(-\d+[dhm])*|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))$"


class SeedError(ValueError):
    """The seed file cannot be used; the message names the file and the field."""


class _Item(BaseModel):
    model_config = ConfigDict(extra="allow")  # later sections may add fields; known ones are checked


class SeedCustomer(_Item):
    customerId: Text
    name: Text
    phone: str | None = Field(default=None, pattern=r"^\+[1-9]\d{6,14}$")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    appUserId: str | None = None
    language: Language
    accountStatus: Literal["ACTIVE", "LOCKED", "CLOSED", "SUSPENDED"]
    accounts: list[str] = []
    preferredChannel: Literal["sms", "email"] | None = None


class SeedTransaction(_Item):
    transactionId: Text
    customerId: Text
    accountId: str | None = None
    merchant: Text
    amount: float
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    status: Literal["SUCCESS", "PENDING", "FAILED", "REVERSED"]
    createdAt: str = Field(pattern=WHEN)


class SeedAgent(_Item):
    agentId: Text
    name: Text
    queues: list[Queue] = Field(min_length=1)
    token: str = Field(min_length=8, max_length=200)
    languages: list[Language] = []  # the hand-out prefers tasks in these (Cognito custom:languages)
    capacity: int | None = Field(default=None, ge=1, le=50)  # claimed tasks at once (custom:capacity)


class SeedFile(_Item):
    customers: list[SeedCustomer] = []
    transactions: list[SeedTransaction] = []
    agents: list[SeedAgent] = []

    @model_validator(mode="after")
    def _references(self) -> SeedFile:
        known = {c.customerId for c in self.customers}
        for i, txn in enumerate(self.transactions):
            if txn.customerId not in known:
                raise ValueError(f"transactions.{i}.customerId: {txn.customerId!r} is not a seeded customer")
        tokens = [a.token for a in self.agents]
        if len(tokens) != len(set(tokens)):
            raise ValueError("agents.token: two agents share a token")
        return self


def load_seed_file(path: str | Path) -> dict:
    """The seed file as plain data, once it is known to be usable."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeedError(f"seed file {path}: {exc}") from exc
    try:
        SeedFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        if not first["loc"]:  # a cross-field check: its message starts with the field
            raise SeedError(f"seed file {path}: {first['msg'].removeprefix('Value error, ')}") from None
        field = ".".join(str(p) for p in first["loc"])
        raise SeedError(f"seed file {path}: {field}: {first['msg']}") from None
    return raw
