"""Customer notification texts (data/templates.json): type x language x channel, `{name}` placeholders.

A message with an unfilled placeholder is never returned: render raises TemplateError naming it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args

from ..domain.models import NotificationType, Queue
from ..nlp.intents import INTENTS

DATA_FILE = Path(__file__).parents[1] / "data" / "templates.json"
LANGUAGES = ("zh-CN", "en")
CHANNELS = ("sms", "email", "chat")
NOTIFICATION_TYPES = get_args(NotificationType)  # the vocabularies of domain/models.py, which the data must cover
QUEUES = get_args(Queue)

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class TemplateError(Exception):
    """Unknown type/channel/language/queue, or a placeholder without a value (`field` names it)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RenderedMessage:
    subject: str | None
    body: str


def _check(data: dict[str, Any]) -> None:
    """Structural check once per process, so a broken data file fails on first use, not mid-conversation."""
    for kind in NOTIFICATION_TYPES:
        for language in LANGUAGES:
            for channel in CHANNELS:
                try:
                    template = data["templates"][kind][language][channel]
                except KeyError:
                    raise TemplateError(f"templates.json lacks {kind}/{language}/{channel}") from None
                if (channel == "email") != ("subject" in template):
                    raise TemplateError(f"{kind}/{language}/{channel}: only email templates have a subject")
                for text in (template.get("subject"), template["body"]):
                    if text is not None and ("{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text)):
                        raise TemplateError(f"{kind}/{language}/{channel}: malformed placeholder in {text!r}")
    for intent in INTENTS:
        if any(not data["needs"].get(intent, {}).get(language) for language in LANGUAGES):
            raise TemplateError(f"templates.json lacks the customer's words for intent {intent!r}")
    for queue in QUEUES:
        if any(not data["teams"].get(queue, {}).get(language) for language in LANGUAGES):
            raise TemplateError(f"templates.json lacks team names for queue {queue!r}")


@cache
def _data() -> dict[str, Any]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    _check(data)
    return data


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise TemplateError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    return language


def placeholders(notification_type: str, language: str, channel: str) -> frozenset[str]:
    """The field names a template needs (subject and body)."""
    template = _template(notification_type, language, channel)
    return frozenset(_PLACEHOLDER.findall(template.get("subject") or "") + _PLACEHOLDER.findall(template["body"]))


def _template(notification_type: str, language: str, channel: str) -> dict[str, str]:
    templates = _data()["templates"]
    if notification_type not in templates:
        raise TemplateError(f"unknown notification type {notification_type!r}")
    if channel not in CHANNELS:
        raise TemplateError(f"unknown channel {channel!r}; expected one of {CHANNELS}")
    return templates[notification_type][_language(language)][channel]


def _fill(text: str, fields: dict[str, str], where: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if fields.get(name) is None:
            raise TemplateError(f"{where}: no value for placeholder {{{name}}}", field=name)
        return str(fields[name])

    # One pass: braces inside a substituted value (customer text) are never read as placeholders.
    return _PLACEHOLDER.sub(value, text)


def render(notification_type: str, language: str, channel: str, **fields: str) -> RenderedMessage:
    """The message for a notification type, language (zh-CN|en) and channel (sms|email|chat).

    Extra fields are ignored. `team` may be left out when `queue` is given: the team's name in that
    language is used.
    """
    template = _template(notification_type, language, channel)
    if fields.get("team") is None and fields.get("queue") is not None:
        fields["team"] = team_name(fields["queue"], language)
    where = f"{notification_type}/{language}/{channel}"
    subject = template.get("subject")
    return RenderedMessage(
        subject=None if subject is None else _fill(subject, fields, where),
        body=_fill(template["body"], fields, where),
    )


def status_text(status: str, language: str) -> str:
    """A transaction status in the customer's words ("SUCCESS" -> "成功" / "completed")."""
    words = _data()["statuses"].get(status)
    return words[_language(language)] if words else status.lower().replace("_", " ")


def action_text(action: str, language: str, **fields: str) -> str:
    """What the customer is told about an agent action that was carried out; "heading" heads the list."""
    actions = _data()["actions"]
    if action not in actions:
        raise TemplateError(f"no customer text for action {action!r}")
    return _fill(actions[action][_language(language)], fields, f"actions/{action}/{language}")


def timeline_text(stage: str, language: str) -> str:
    """What a customer's view says for a timeline stage before they are AUTHENTICATED."""
    labels = _data()["timeline"]
    return (labels.get(stage) or labels["other"])[_language(language) if language in LANGUAGES else "en"]


def need_name(intent: str, language: str) -> str:
    """A need (intent) as the customer would say it: "a payment made twice or by mistake (a refund)"."""
    needs = _data()["needs"]
    if intent not in needs:
        raise TemplateError(f"unknown intent {intent!r}")
    return needs[intent][_language(language)]


def choices_text(choices: list[str], language: str) -> str:
    """The numbered choices of a clarifying question, one a line: "1. ..." (the number answers it)."""
    return "\n".join(f"{number}. {need_name(intent, language)}" for number, intent in enumerate(choices, 1))


def team_name(queue: str, language: str) -> str:
    """A queue's team as the customer should read it: "payments team" / "支付业务团队"."""
    teams = _data()["teams"]
    if queue not in teams:
        raise TemplateError(f"unknown queue {queue!r}")
    return teams[queue][_language(language)]
