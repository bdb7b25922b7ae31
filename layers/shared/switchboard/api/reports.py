"""The supervisors' figures: GET /reports (JSON) and GET /reports/complaints (the regulator's yearly
table, CSV). Agents who are not supervisors get 403, as the supervisors' task routes answer them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ..domain.errors import Forbidden
from ..domain.models import Queue
from ..domain.reports import Report
from .resolver import NO_STORE, answers, calling_agent

if TYPE_CHECKING:
    from ..reports.figures import Reports

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
REPORT_DESCRIPTION = (
    "The centre's figures over the cases opened from `from` to `to` (China Standard Time days, both included, "
    "at most 366), read from the projection of the case events (a replay of the bus archive rebuilds the same "
    "figures). Every figure's definition is its field's description in the `Report` schema. Supervisors only."
)


def reports_router(reports: Reports) -> Router:
    router = Router()

    def supervisor() -> None:
        if not calling_agent(router.current_event.raw_event).is_supervisor:
            raise Forbidden("only supervisors may read the reports")

    @router.get(
        "/reports",
        summary="The centre's figures over a period (supervisors)",
        description=REPORT_DESCRIPTION,
        **answers(200, "the figures"),
        security=BEARER,
        tags=["reports"],
    )
    def report(
        from_: Annotated[date, Query(alias="from", description="first day (YYYY-MM-DD, China Standard Time)")],
        to: Annotated[date, Query(description="last day, included (YYYY-MM-DD)")],
        queue: Annotated[Queue | None, Query(description="only this queue's cases and tasks")] = None,
    ) -> Report:
        supervisor()
        return reports.report(from_, to, queue)

    csv_answer = answers(200, "the yearly complaint table")
    csv_answer["responses"][200]["content"] = {"text/csv": {"schema": {"type": "string"}}}

    @router.get(
        "/reports/complaints",
        summary="The yearly complaint statistics for the regulator, CSV (supervisors)",
        description=(
            "Complaints opened in `year` (China Standard Time), one row per type (what the complaint is about: the "
            "case's second need, else general) and a `total` row: received, closed, share closed, closed within the "
            "regulatory clock (15 calendar days, or as extended), that share among complaints closed or past due, "
            "median and max handling days (opening to closing, calendar days). Supervisors only."
        ),
        **csv_answer,
        security=BEARER,
        tags=["reports"],
    )
    def complaints(
        year: Annotated[int, Query(ge=2000, le=2100, description="the calendar year")],
    ):  # untyped: a Response passes unvalidated
        supervisor()
        return Response(
            status_code=200,
            content_type="text/csv; charset=utf-8",
            body=reports.complaints_csv(year),
            headers={**NO_STORE, "Content-Disposition": f'attachment; filename="complaints-{year}.csv"'},
        )

    return router
