"""Settings read from the environment once per cold start (Globals in template.yaml)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Settings:
    cases_table: str
    tasks_table: str
    idempotency_table: str
    customers_table: str
    transactions_table: str
    limits_table: str
    chat_topic_arn: str
    event_bus_name: str
    failed_notifications_queue_url: str
    state_machine_arn: str
    ops_alarm_topic_arn: str
    sender_email: str
    otp_timeout_seconds: int
    survey_delay_seconds: int
    sla_seconds_override: int
    refund_review_hours: int
    payment_reversal_window_hours: int
    customer_reply_timeout_seconds: int = 259200  # how long the workflow waits on a customer's answer
    customer_silence_policy: str = "RETURN_TO_QUEUE"  # or CLOSE: what a question left unanswered does
    customer_reply_url: str = ""  # the web page where an email customer answers ({caseId} filled in)
    cors_allowed_origins: tuple[str, ...] = ()  # browser origins allowed on the customer routes
    # how email and SMS leave (adapters/transports.py): AWS's services, or providers where they are not
    email_transport: str = "ses"  # "ses" | "smtp"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_secret_arn: str = ""
    sms_transport: str = "sns"  # "sns" | "http"
    sms_api_url: str = ""
    sms_secret_arn: str = ""
    agent_load_table: str = ""  # each agent's claimed tasks against their capacity (POST /tasks/next, claim)


class ConfigurationError(RuntimeError):
    """A required environment variable is missing or malformed: fail at cold start, loudly."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from exc


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    """One of `allowed` (the first when unset)."""
    raw = os.environ.get(name, "") or allowed[0]
    if raw not in allowed:
        raise ConfigurationError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
    return raw


REQUIRED = (
    "CASES_TABLE",
    "TASKS_TABLE",
    "IDEMPOTENCY_TABLE",
    "CUSTOMERS_TABLE",
    "TRANSACTIONS_TABLE",
    "LIMITS_TABLE",
)


def _transports(env: os._Environ[str]) -> dict[str, Any]:
    email, sms = env.get("EMAIL_TRANSPORT") or "ses", env.get("SMS_TRANSPORT") or "sns"
    if email not in ("ses", "smtp"):
        raise ConfigurationError(f"EMAIL_TRANSPORT must be ses or smtp, got {email!r}")
    if sms not in ("sns", "http"):
        raise ConfigurationError(f"SMS_TRANSPORT must be sns or http, got {sms!r}")
    if email == "smtp" and not env.get("SMTP_HOST"):
        raise ConfigurationError("EMAIL_TRANSPORT=smtp needs SMTP_HOST")
    if sms == "http" and not env.get("SMS_API_URL", "").startswith(("https://", "http://127.0.0.1")):
        raise ConfigurationError("SMS_TRANSPORT=http needs an https SMS_API_URL")
    return {
        "email_transport": email,
        "smtp_host": env.get("SMTP_HOST", ""),
        "smtp_port": _int("SMTP_PORT", 587),
        "smtp_starttls": env.get("SMTP_STARTTLS", "true").lower() != "false",
        "smtp_secret_arn": env.get("SMTP_SECRET_ARN", ""),
        "sms_transport": sms,
        "sms_api_url": env.get("SMS_API_URL", ""),
        "sms_secret_arn": env.get("SMS_SECRET_ARN", ""),
    }


@cache
def settings() -> Settings:
    env = os.environ
    missing = [name for name in REQUIRED if not env.get(name)]
    if missing:
        raise ConfigurationError(f"missing environment variables: {', '.join(missing)} (set by template.yaml Globals)")
    return Settings(
        cases_table=env.get("CASES_TABLE", ""),
        tasks_table=env.get("TASKS_TABLE", ""),
        idempotency_table=env.get("IDEMPOTENCY_TABLE", ""),
        customers_table=env.get("CUSTOMERS_TABLE", ""),
        transactions_table=env.get("TRANSACTIONS_TABLE", ""),
        limits_table=env.get("LIMITS_TABLE", ""),
        chat_topic_arn=env.get("CHAT_TOPIC_ARN", ""),
        event_bus_name=env.get("EVENT_BUS_NAME", ""),
        failed_notifications_queue_url=env.get("FAILED_NOTIFICATIONS_QUEUE_URL", ""),
        state_machine_arn=env.get("STATE_MACHINE_ARN", ""),
        ops_alarm_topic_arn=env.get("OPS_ALARM_TOPIC_ARN", ""),
        sender_email=env.get("SENDER_EMAIL", "service@switchboard.example"),
        otp_timeout_seconds=_int("OTP_TIMEOUT_SECONDS", 300),
        survey_delay_seconds=_int("SURVEY_DELAY_SECONDS", 3600),
        sla_seconds_override=_int("SLA_SECONDS_OVERRIDE", 0),
        refund_review_hours=_int("REFUND_REVIEW_HOURS", 72),
        payment_reversal_window_hours=_int("PAYMENT_REVERSAL_WINDOW_HOURS", 24),
        customer_reply_timeout_seconds=_int("CUSTOMER_REPLY_TIMEOUT_SECONDS", 259200),
        customer_silence_policy=_choice("CUSTOMER_SILENCE_POLICY", ("RETURN_TO_QUEUE", "CLOSE")),
        customer_reply_url=env.get("CUSTOMER_REPLY_URL", ""),
        cors_allowed_origins=tuple(o.strip() for o in env.get("CORS_ALLOWED_ORIGINS", "").split(",") if o.strip()),
        **_transports(env),
        agent_load_table=env.get("AGENT_LOAD_TABLE", ""),
    )
