"""The repositories and notifier a case-handling service works with, injectable for tests."""

from __future__ import annotations

from ..adapters.repository.cases import CaseRepository
from ..adapters.repository.directory import CustomerDirectory, Ledger
from .notify import Notifier


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
