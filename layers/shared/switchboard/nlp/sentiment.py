"""Rule-based anger and escalation-threat detection (zh + en).

Rules rather than a model: the cues are a small closed set, every hit must be explainable
on the case timeline, and a false negative on a regulator threat is costly. Cue labels
are reported as "anger:<cue>" / "threat:<cue>", in order of first appearance.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Sentiment:
    angry: bool
    escalation_threat: bool
    cues: tuple[str, ...]


# Chinese has no word boundaries, so ambiguous characters get look-arounds instead:
# "滚" but not "滚动" (scrolling), "垃圾" but not "垃圾短信" (spam SMS, common in fraud
# reports), "烂" only in insulting collocations, "投诉到" but not the stubborn "投诉到底".
_ANGER_ZH = (
    "太气人|气死|气人|生气|火大|恼火|愤怒|垃圾(?!短信|邮件)|骗子|坑人|坑爹|黑店|无语|恶心|差劲|太差|真差|受够|"
    "受不了|忍无可忍|太过分|过分了|离谱|搞什么|什么破|破公司|耍我|欺负人|有病|妈的|他妈|草泥马|操你|操蛋|傻逼|"
    "煞笔|混蛋|王八蛋|狗屎|去死|滚(?!动)|(?:太|真|好|什么|稀)烂|烂透|不要脸"
)
_ANGER_EN = (
    r"ridiculous|worst|terrible|awful|horrible|unacceptable|useless|pathetic|incompetent|disgusting|outrageous|"
    r"disgraceful|furious|angry|pissed(?: off)?|fed up|sick (?:and tired )?of|wtf|damn|bullshit|crap|shit|fuck\w*|"
    r"scam(?:mers?)?|(?:is|what|such) a joke|rip[- ]?off|liars?|idiots?|stupid|hate|tmd|nmd|sb"
)
_THREAT_ZH = (
    "监管|银保监|银监会|证监会|金融局|人民银行|央行|投诉到(?!底)|举报|媒体|曝光|记者|上新闻|"
    "发(?:到)?(?:微博|抖音|小红书|网上)|黑猫投诉|律师|起诉|法院|打官司|法律途径|报警|警察|派出所|打(?:了)?110|"
    "12315|12363|12378|消协|消费者协会|工商局|市场监督"
)
_THREAT_EN = (
    r"regulators?|regulatory|central bank|pboc|cbirc|ombudsman|consumer protection|the press|journalists?|"
    r"reporters?|the media|newspapers?|social media|go public|expose you|"
    r"(?:post|tweet|put) (?:this|it) (?:online|on twitter|on weibo)|lawyers?|attorneys?|solicitor|legal action|"
    r"court|su(?:e|ing|ed)|lawsuit|police|cops?|report you"
)


def _compile(zh: str, en: str) -> re.Pattern[str]:
    # English cues need word boundaries: "issue" must not match "sue", nor "express" "press".
    return re.compile(f"(?P<zh>{zh})|(?<![a-z])(?P<en>{en})(?![a-z])")


_ANGER = _compile(_ANGER_ZH, _ANGER_EN)
_THREAT = _compile(_THREAT_ZH, _THREAT_EN)
_EXCLAIM = re.compile(r"!{3,}|[!?]*(?:!\?|\?!)[!?]*")
_UPPER_WORD = re.compile(r"\b[A-Z]{3,}\b")
_LETTERS = re.compile(r"[A-Za-z]")


def _shouting(text: str) -> bool:
    """Mostly upper-case English of some length ("WHERE IS MY MONEY"), not acronyms ("PIN", "SMS")."""
    letters = _LETTERS.findall(text)
    if len(letters) < 12:
        return False
    upper = sum(1 for ch in letters if ch.isupper())
    return upper / len(letters) >= 0.7 and len(_UPPER_WORD.findall(text)) >= 2


def assess_sentiment(text: str) -> Sentiment:
    raw = unicodedata.normalize("NFKC", text or "")
    lowered = raw.lower()
    hits: list[tuple[int, str]] = []
    for category, pattern in (("anger", _ANGER), ("threat", _THREAT)):
        for m in pattern.finditer(lowered):
            hits.append((m.start(), f"{category}:{m.group(0)}"))
    for m in _EXCLAIM.finditer(raw):
        hits.append((m.start(), "anger:" + m.group(0)))
    if _shouting(raw):
        hits.append((len(raw), "anger:shouting"))
    cues: list[str] = []
    for _, cue in sorted(hits):
        if cue not in cues:
            cues.append(cue)
    return Sentiment(
        angry=any(c.startswith("anger:") for c in cues),
        escalation_threat=any(c.startswith("threat:") for c in cues),
        cues=tuple(cues),
    )
