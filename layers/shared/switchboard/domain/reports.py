"""GET /reports and GET /reports/complaints: the query and the answer's models. Each figure's
definition is its field's description, so the OpenAPI document states what every number means."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from .models import Queue

Share = Annotated[float | None, Field(ge=0, le=1)]


class Distribution(BaseModel):
    """Seconds: the middle value (the mean of the two middle ones for an even count) and the 90th
    percentile (nearest rank: the value at rank ceil(0.9 n)); null when nothing was measured."""

    count: int
    medianSeconds: float | None
    p90Seconds: float | None


class Containment(BaseModel):
    cases: int = Field(
        description="Cases opened in the period (a repeat contact merged into an open case is part of that case, not one of its own)."
    )
    contained: int = Field(
        description="Of those, cases resolved with no human task and no repeat contact: the same identified customer did not contact again about the same intent within 24 hours of the case's opening."
    )
    rate: Share = Field(description="contained / cases; null when there are no cases.")


class FirstContactResolution(BaseModel):
    resolved: int = Field(description="Cases opened in the period and resolved (by automation or an agent).")
    firstContact: int = Field(description="Of those, cases with no repeat contact (joined or within 24 hours).")
    rate: Share = Field(description="firstContact / resolved; null when none was resolved.")


class ServiceLevel(BaseModel):
    queue: str
    clock: str = Field(
        description="firstResponse (met by the first claim), resolution (met by completion), regulatory (complaints: met by completion within the regulator's calendar days, after any extension)."
    )
    met: int = Field(
        description="Clocks of tasks opened in the period that ended (task completed or expired) before they came due; a paused clock counts only the time it ran."
    )
    breached: int = Field(
        description="Clocks that came due before they were met (an expired task's unmet clocks are breached)."
    )
    rate: Share = Field(description="met / (met + breached).")


class BacklogBucket(BaseModel):
    queue: str
    age: str = Field(description="Time since the task opened: under1h, 1to4h, 4to24h, over24h.")
    tasks: int


class Csat(BaseModel):
    distribution: dict[str, int] = Field(description="Survey answers of cases opened in the period, by score 1-5.")
    average: float | None = Field(description="The mean score, 2 decimals; null without answers.")
    closed: int = Field(description="Cases opened in the period and closed (each is sent the survey).")
    answered: int
    responseRate: Share = Field(description="answered / closed.")


class Complaints(BaseModel):
    count: int = Field(description="Cases classified as complaint opened in the period.")
    byType: dict[str, int] = Field(
        description="By what the complaint is about: the case's second need when the classifier found one (e.g. duplicate_payment), else general."
    )
    closed: int
    shareClosed: Share = Field(description="closed / count.")
    medianHandlingDays: float | None = Field(
        description="Closed complaints: days from opening to closing (calendar days, 2 decimals), the middle value."
    )
    maxHandlingDays: float | None
    withinRegulatory: int = Field(
        description="Complaints closed on or before their regulatory due time (15 calendar days, or as a supervisor extended it)."
    )
    shareWithinRegulatory: Share = Field(
        description="withinRegulatory / complaints that are closed or already past their regulatory due time."
    )


class AgentFigures(BaseModel):
    agentId: str
    claimed: int = Field(
        description="Claims in the period (claim, hand-out, take-over, reassignment), from the day counters."
    )
    completed: int = Field(description="Tasks completed in the period, from the day counters.")


class DailyFigures(BaseModel):
    day: date
    contacts: int
    escalations: int
    breaches: int
    csatAnswers: int


class Report(BaseModel):
    """GET /reports: the centre's figures over the cases opened from `from` to `to` (China Standard
    Time days, both included), read from the projection of the case events."""

    from_: date = Field(alias="from")
    to: date
    queue: Queue | None = Field(
        description="When given: cases whose queue (the last one routed to) is this, and that queue's tasks."
    )
    contactsByChannel: dict[str, int] = Field(
        description="Contacts (every contact opens a case, repeat contacts too) by channel."
    )
    contactsByLanguage: dict[str, int] = Field(description="Classified contacts by language (zh-CN, en).")
    containment: Containment = Field(
        description="Self-service containment: cases resolved without a human and without a repeat contact within 24 hours, of all cases of the period."
    )
    firstContactResolution: FirstContactResolution = Field(
        description="First-contact resolution: resolved cases whose customer did not contact again about them, of all resolved cases."
    )
    escalationsByQueue: dict[str, int] = Field(
        description="Escalations: human tasks opened in the period, by queue (an SLA expiry's supervisors task is one more; survey follow-ups are not escalations)."
    )
    serviceLevel: list[ServiceLevel] = Field(
        description="Service level per queue and clock: the share of task clocks met before they came due."
    )
    firstResponse: Distribution = Field(
        description="Time to first agent response: from a task's opening to its first claim (the firstResponse clock's measure), tasks of the period."
    )
    handling: Distribution = Field(
        description="Handling time: from a task's first claim to its completion; business time is not subtracted."
    )
    backlog: list[BacklogBucket] = Field(description="Open tasks now (whatever the period), by queue and age.")
    csat: Csat = Field(
        description="Customer satisfaction: the survey sent at closing, its scores (1-5), their mean and the response rate."
    )
    complaints: Complaints = Field(
        description="Complaints (intent complaint): count, by type, share closed, handling days, share within the regulatory clock; the yearly table is GET /reports/complaints."
    )
    agents: list[AgentFigures] = Field(
        description="Per agent: claims and completions in the period, from the day counters."
    )
    daily: list[DailyFigures] = Field(
        description="Per day, from the day counters: contacts, escalations, clock breaches, survey answers."
    )

    model_config = {"populate_by_name": True}
