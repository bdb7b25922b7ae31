"""Email and SMS transports (issue 17, point 3): SES and SNS on moto; an SMTP provider (a real SMTP
server, aiosmtpd, on 127.0.0.1) and an SMS provider's HTTP API (a server on 127.0.0.1), each logged in
with credentials read from Secrets Manager (moto). A provider's "try later" is a transient error the
workflow retries; a refusal is not."""

from __future__ import annotations

import json
import threading
import urllib.error
from email import message_from_bytes
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from moto import mock_aws
from switchboard.adapters.transports import HttpSms, Secret, SesEmail, SmtpEmail, SnsSms
from switchboard.domain.errors import DependencyUnavailable

REGION = "cn-north-1"


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        yield


def secret(values):
    client = boto3.client("secretsmanager", region_name=REGION)
    arn = client.create_secret(Name=f"provider-{len(json.dumps(values))}", SecretString=json.dumps(values))["ARN"]
    return Secret(arn, client)


# ---- SMTP ---------------------------------------------------------------------------------------


class Mailbox:
    """What the SMTP server received, and the reply it gives to the next message (250 by default)."""

    def __init__(self):
        self.messages, self.logins, self.reply = [], [], None

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=email_policy)))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"s3cret")


@pytest.fixture
def smtp():
    import socket

    with socket.socket() as probe:  # a free port: the controller checks it is up by connecting to it
        probe.bind(("127.0.0.1", 0))
        mailbox = Mailbox()
        mailbox.port = probe.getsockname()[1]
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=mailbox.port, authenticator=mailbox.authenticate, auth_require_tls=False
    )
    controller.start()
    yield mailbox
    controller.stop()


def test_smtp_sends_utf8_mail_logged_in_with_the_secrets_credentials(aws, smtp):
    # given the provider's credentials in Secrets Manager
    transport = SmtpEmail(
        "127.0.0.1",
        smtp.port,
        "service@switchboard.example.cn",
        secret({"username": "sb", "password": "s3cret"}),
        False,
    )
    # when a Chinese notice is sent
    message_id = transport.send("li@example.cn", "您的案件 SB261125-ABCDEF", "我们已收到您的请求。")
    # then it arrived once, logged in with the secret, in UTF-8, under the id answered
    assert smtp.logins == [("sb", "s3cret")]
    ((recipients, mail),) = smtp.messages
    assert recipients == ["li@example.cn"] and mail["Message-ID"] == message_id
    assert mail["Subject"] == "您的案件 SB261125-ABCDEF"
    assert mail.get_content().strip() == "我们已收到您的请求。"


def test_smtp_try_later_is_transient_and_a_refusal_is_not(aws, smtp):
    import smtplib

    transport = SmtpEmail("127.0.0.1", smtp.port, "service@switchboard.example.cn", None, False)
    smtp.reply = "451 4.3.0 try again later"
    with pytest.raises(DependencyUnavailable):
        transport.send("li@example.cn", "s", "b")
    smtp.reply = "550 5.1.1 no such mailbox"
    with pytest.raises(smtplib.SMTPDataError):
        transport.send("li@example.cn", "s", "b")
    nobody = SmtpEmail("127.0.0.1", 1, "service@switchboard.example.cn", None, False)  # nothing listens
    with pytest.raises(DependencyUnavailable):
        nobody.send("li@example.cn", "s", "b")


# ---- HTTP SMS -----------------------------------------------------------------------------------


@pytest.fixture
def sms_api():
    received, replies = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Authorization"], json.loads(body)))
            status, answer = replies.pop(0) if replies else (200, {"messageId": f"sms-{len(received)}"})
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(answer).encode())

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/sms", received, replies
    server.shutdown()
    server.server_close()


def test_http_sms_posts_the_text_with_the_secrets_api_key(aws, sms_api):
    url, received, _ = sms_api
    transport = HttpSms(url, secret({"apiKey": "k-123"}))
    assert transport.send("+8613800138000", "您的验证码已发送") == "sms-1"
    assert received == [("Bearer k-123", {"to": "+8613800138000", "text": "您的验证码已发送"})]


def test_http_sms_busy_is_transient_and_a_refusal_is_not(aws, sms_api):
    url, _, replies = sms_api
    transport = HttpSms(url, None)
    replies.append((503, {"error": "busy"}))
    with pytest.raises(DependencyUnavailable):
        transport.send("+8613800138000", "x")
    replies.append((400, {"error": "bad number"}))
    with pytest.raises(urllib.error.HTTPError):
        transport.send("+8613800138000", "x")
    replies.append((200, {}))
    with pytest.raises(DependencyUnavailable, match="without a message id"):
        transport.send("+8613800138000", "x")


# ---- AWS ----------------------------------------------------------------------------------------


def test_ses_and_sns_send_through_aws(aws):
    ses = boto3.client("ses", region_name="us-east-1")
    ses.verify_email_identity(EmailAddress="service@switchboard.example")
    assert SesEmail("service@switchboard.example", ses).send("emily@example.com", "Case", "Hello")
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    (sent,) = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert sent.destinations["ToAddresses"] == ["emily@example.com"] and sent.body == "Hello"
    sns = boto3.client("sns", region_name="us-east-1")
    assert SnsSms(sns).send("+8613800138000", "您好")
    from moto.sns.models import sns_backends

    assert ("+8613800138000", "您好") in [
        (number, text) for number, text, *_ in sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values()
    ]


# ---- the template's choice ----------------------------------------------------------------------


def test_the_configured_transport_is_the_one_the_notifier_uses(monkeypatch):
    from switchboard import config
    from switchboard.adapters.transports import email_transport, sms_transport

    for name in (
        "CASES_TABLE",
        "TASKS_TABLE",
        "IDEMPOTENCY_TABLE",
        "CUSTOMERS_TABLE",
        "TRANSACTIONS_TABLE",
        "LIMITS_TABLE",
    ):
        monkeypatch.setenv(name, "t")
    monkeypatch.setenv("EMAIL_TRANSPORT", "smtp")
    monkeypatch.setenv("SMTP_HOST", "smtp.example.cn")
    monkeypatch.setenv("SMS_TRANSPORT", "http")
    monkeypatch.setenv("SMS_API_URL", "https://sms.example.cn/v1/sms")
    config.settings.cache_clear()
    try:
        assert isinstance(email_transport(), SmtpEmail) and email_transport().host == "smtp.example.cn"
        assert isinstance(sms_transport(), HttpSms)
        monkeypatch.setenv("SMS_API_URL", "http://sms.example.cn/v1/sms")  # a text with a code in clear
        config.settings.cache_clear()
        with pytest.raises(config.ConfigurationError, match="https SMS_API_URL"):
            config.settings()
        monkeypatch.setenv("EMAIL_TRANSPORT", "pigeon")
        config.settings.cache_clear()
        with pytest.raises(config.ConfigurationError, match="EMAIL_TRANSPORT"):
            config.settings()
    finally:
        config.settings.cache_clear()
