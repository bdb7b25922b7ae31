"""How a customer's email or SMS leaves: the notifier knows only `EmailTransport` and `SmsTransport`.

Email goes through SES, or through an SMTP provider (the AWS China regions have no SES); SMS through
SNS, or through a provider's HTTP API. Which one is the template's choice (EmailTransport,
SmsTransport), and a provider's credentials live in Secrets Manager (a JSON secret), read on first
use and kept for the life of the execution environment."""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol

from ..domain.errors import DependencyUnavailable
from . import aws

TIMEOUT_SECONDS = 5.0  # within the notify function's 10 s, with the state's retry behind it


class EmailTransport(Protocol):
    def send(self, to: str, subject: str, body: str) -> str:
        """Send a plain-text UTF-8 email; answers the provider's message id."""
        ...


class SmsTransport(Protocol):
    def send(self, to: str, body: str) -> str:
        """Send a transactional SMS to an E.164 number; answers the provider's message id."""
        ...


class Secret:
    """A JSON secret of Secrets Manager, fetched once."""

    def __init__(self, arn: str, client: Any | None = None) -> None:
        self.arn = arn
        self._client = client
        self._value: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def get(self, key: str) -> str:
        with self._lock:
            if self._value is None:
                client = self._client or aws.secretsmanager()
                self._value = json.loads(client.get_secret_value(SecretId=self.arn)["SecretString"])
        return str(self._value.get(key) or "")


class SesEmail:
    def __init__(self, sender: str, client: Any | None = None) -> None:
        self.sender = sender
        self._client = client

    def send(self, to: str, subject: str, body: str) -> str:
        answer = (self._client or aws.ses()).send_email(
            Source=self.sender,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
            },
        )
        return str(answer["MessageId"])


class SmtpEmail:
    """An SMTP provider (STARTTLS on 587 unless told otherwise), logged in with the secret's
    `username` and `password` when a secret is configured."""

    def __init__(self, host: str, port: int, sender: str, secret: Secret | None, starttls: bool = True) -> None:
        self.host, self.port, self.sender, self.secret, self.starttls = host, port, sender, secret, starttls

    def send(self, to: str, subject: str, body: str) -> str:
        import smtplib
        from email.message import EmailMessage  # only the SMTP transport needs the email package
        from email.utils import make_msgid

        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(body, charset="utf-8")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.secret:
                    smtp.login(self.secret.get("username"), self.secret.get("password"))
                smtp.send_message(message)
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:  # the provider's "try again later"
                raise DependencyUnavailable(f"SMTP {exc.smtp_code}") from exc
            raise
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            raise DependencyUnavailable(f"SMTP {type(exc).__name__}") from exc
        return str(message["Message-ID"])


class SnsSms:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    def send(self, to: str, body: str) -> str:
        answer = (self._client or aws.sns()).publish(
            PhoneNumber=to,
            Message=body,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
        return str(answer["MessageId"])


class HttpSms:
    """A provider's HTTP API: POST {"to", "text"} as JSON with the secret's `apiKey` as a bearer token;
    the answer's `messageId` (or `id`) is the message id."""

    def __init__(self, url: str, secret: Secret | None) -> None:
        self.url, self.secret = url, secret

    def send(self, to: str, body: str) -> str:
        import urllib.error
        import urllib.request

        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.secret:
            headers["Authorization"] = f"Bearer {self.secret.get('apiKey')}"
        data = json.dumps({"to": to, "text": body}, ensure_ascii=False).encode("utf-8")
        # the URL is the template's SmsApiUrl, https only (config.py refuses any other scheme)
        request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
                reply = json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as exc:
            if exc.code == 429 or exc.code >= 500:
                raise DependencyUnavailable(f"SMS API {exc.code}") from exc
            raise
        except (OSError, ValueError) as exc:  # URLError and timeouts are OSErrors; a garbled answer a ValueError
            raise DependencyUnavailable(f"SMS API {type(exc).__name__}") from exc
        message_id = reply.get("messageId") or reply.get("id")
        if not message_id:
            raise DependencyUnavailable("SMS API answered without a message id")
        return str(message_id)


def email_transport() -> EmailTransport:
    from ..config import settings

    s = settings()
    if s.email_transport == "smtp":
        secret = Secret(s.smtp_secret_arn) if s.smtp_secret_arn else None
        return SmtpEmail(s.smtp_host, s.smtp_port, s.sender_email, secret, s.smtp_starttls)
    return SesEmail(s.sender_email)


def sms_transport() -> SmsTransport:
    from ..config import settings

    s = settings()
    if s.sms_transport == "http":
        return HttpSms(s.sms_api_url, Secret(s.sms_secret_arn) if s.sms_secret_arn else None)
    return SnsSms()
