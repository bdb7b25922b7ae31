"""What every repository shares: one table of the template, through the low-level DynamoDB client."""

from __future__ import annotations

from typing import Any, ClassVar

from ...config import settings
from .. import aws


class TableRepository:
    """The table's name is the settings field `table_setting` (read on first use: cold start) unless one
    is given; the client is the process's shared one unless one is injected (tests)."""

    table_setting: ClassVar[str]

    def __init__(self, client: Any | None = None, table: str | None = None) -> None:
        self._client = client
        self._table = table

    @property
    def table(self) -> str:
        return self._table or str(getattr(settings(), self.table_setting))

    @property
    def client(self) -> Any:
        return self._client or aws.dynamodb()
