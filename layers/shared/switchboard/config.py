"""Settings: one validated pydantic model, read from the environment once per cold start (template.yaml's
Globals and each function's own variables). Each field is the environment variable of the same name in
capitals; a missing required one or a malformed value stops the cold start, naming the variable."""

from __future__ import annotations

import os
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

Required = Annotated[str, Field(min_length=1)]
Seconds = Annotated[int, Field(ge=0)]


def _comma_list(value: object) -> object:
    return tuple(item.strip() for item in value.split(",") if item.strip()) if isinstance(value, str) else value


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # built on first read, not at import

    # the tables (template.yaml Globals): nothing works without them
    cases_table: Required
    tasks_table: Required
    idempotency_table: Required
    customers_table: Required
    transactions_table: Required
    limits_table: Required
    agent_load_table: str = ""  # each agent's claimed tasks against their capacity (POST /tasks/next, claim)
    reports_table: str = ""  # the case events' projection (GET /reports)
    chat_topic_arn: str = ""
    event_bus_name: str = ""
    failed_notifications_queue_url: str = ""
    state_machine_arn: str = ""
    ops_alarm_topic_arn: str = ""
    sender_email: str = "service@switchboard.example"
    # policy in time (seconds unless named otherwise)
    otp_timeout_seconds: Annotated[int, Field(ge=1)] = 300
    survey_delay_seconds: Seconds = 3600
    sla_seconds_override: Seconds = 0
    refund_review_hours: Annotated[int, Field(ge=1)] = 72
    payment_reversal_window_hours: Annotated[int, Field(ge=1)] = 24
    customer_reply_timeout_seconds: Annotated[int, Field(ge=1)] = 259200  # the wait on a customer's answer
    customer_silence_policy: Literal["RETURN_TO_QUEUE", "CLOSE"] = "RETURN_TO_QUEUE"  # an unanswered question
    customer_reply_url: str = ""  # the web page where an email customer answers ({caseId} filled in)
    cors_allowed_origins: Annotated[tuple[str, ...], BeforeValidator(_comma_list)] = ()
    # how email and SMS leave (adapters/transports.py): AWS's services, or providers where they are not
    email_transport: Literal["ses", "smtp"] = "ses"
    smtp_host: str = ""
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 587
    smtp_starttls: bool = True
    smtp_secret_arn: str = ""
    sms_transport: Literal["sns", "http"] = "sns"
    sms_api_url: str = ""
    sms_secret_arn: str = ""

    @model_validator(mode="after")
    def _transport_settings(self) -> Settings:
        if self.email_transport == "smtp" and not self.smtp_host:
            raise ValueError("EMAIL_TRANSPORT=smtp needs SMTP_HOST")
        # a code or a case number never crosses the network in clear (127.0.0.1: the tests' provider)
        if self.sms_transport == "http" and not self.sms_api_url.startswith(("https://", "http://127.0.0.1")):
            raise ValueError("SMS_TRANSPORT=http needs an https SMS_API_URL")
        return self


class ConfigurationError(RuntimeError):
    """A required environment variable is missing or malformed: fail at cold start, loudly."""


@cache
def settings() -> Settings:
    env = {name: os.environ.get(name.upper(), "") for name in Settings.model_fields}
    try:
        return Settings(**{name: value for name, value in env.items() if value != ""})  # unset: the default
    except ValidationError as exc:
        problems = [
            f"{str(error['loc'][0]).upper()}: {error['msg']}"
            if error["loc"]
            else error["msg"].removeprefix("Value error, ")
            for error in exc.errors()
        ]
        raise ConfigurationError(f"settings (template.yaml Globals): {'; '.join(problems)}") from exc


# what has no default (the tests and the local runtime check for these)
REQUIRED = tuple(name.upper() for name, field in Settings.model_fields.items() if field.is_required())
