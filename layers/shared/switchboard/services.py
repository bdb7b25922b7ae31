"""The repositories and notifier a case-handling service works with, injectable for tests."""

from __future__ import annotations

from .notifications import Notifier
from .repository.cases import CaseRepository
from .repository.directory import CustomerDirectory, Ledger


class CaseServices:
    def __init__(
        self,
        cases: CaseRepository | None = None,
        directory: CustomerDirectory | None = None,
        ledger: Ledger | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        self.cases = cases or CaseRepository()
        self.directory = directory or CustomerDirectory()
        self.ledger = ledger or Ledger()
        self.notifier = notifier or Notifier(self.cases, self.directory)
