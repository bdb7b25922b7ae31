"""Text normalisation and sparse binary features shared by training and inference.

Any change to what `extract_features` returns must bump FEATURE_VERSION: the shipped
model records the version it was trained with and refuses to load with another one.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from functools import cache

FEATURE_VERSION = "f3"

# CJK Unified Ideographs (+ extension A and compatibility block).
CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
_TOKEN = re.compile(f"[{CJK_CLASS}]+|[a-z0-9]+(?:'[a-z]+)?")
_DIGITS = re.compile(r"[0-9]+")

# Concept cues: bilingual keyword classes that let an English example teach the model
# about its Chinese counterpart and vice versa (the training set has only ~25 examples
# per intent and language). Rule, enforced by tests/unit/test_nlp.py: every cue must
# occur in data/intents/train.jsonl, so the held-out set never leaks into the features.
# Each concept is a pair of "|"-separated regex alternatives over normalize()d text:
# Chinese cues match anywhere, Latin cues only as whole words.
CONCEPT_CUES: dict[str, tuple[str, str]] = {
    "lock": (
        "锁|冻结|冻住|冻洁|解冻|被封|停用|限制|风控",
        r"lock\w*|unlock\w*|frozen|unfreez\w*|suspend\w*|block\w*|restrict\w*|disabled",
    ),
    "password": (
        "密码|密马",
        r"pwd|pw|pass ?codes?|pas+w\w*|pin",
    ),
    "forgot": (
        "忘|记不|找回",
        r"forg[eo]t\w*|remember|recover\w*",
    ),
    "modify": (
        "修改|换绑|变更|更新|改|换|重置|重设|设置",
        r"reset\w*|chang\w*|updat\w*|set|new",
    ),
    "profile": (
        "手机号|号码|邮箱|姓名|名字|昵称|地址|身份证|实名|资料|信息|个人|注册|开通|注销|绑定|解绑",
        (
            r"phone|number|mobile|e-?mail|name|address|profile|details|info|id|kyc|identity|regist\w*|sign ?up|"
            r"open|close|delete|link\w*"
        ),
    ),
    "fail": (
        "失败|不成功|没到账|处理中|转圈|超时|拒绝|报错|付不了|没收到|延迟|异常",
        (
            r"fail\w*|pending|declin\w*|reject\w*|stuck|processing|timed? ?out|error|unsuccessful|"
            r"didn'?t go through|not arrived|never arrived|haven'?t received|delay\w*|spinning|taking so long"
        ),
    ),
    "twice": (
        "两次|两遍|两回|两笔|0次|重复|多付|双重|又付",
        r"twice|twise|double\w*|duplicat\w*|0 times|again|two identical|overpa\w*",
    ),
    "mistake": (
        "错|误|不小心|手滑",
        r"mistake\w*|wrong|accident\w*",
    ),
    "refund": (
        "退款|退回|退一|撤回|追回",
        r"refund\w*|revers\w*|money back|return the money",
    ),
    "records": (
        "记录|明细|账单|流水|对账|凭证|历史|收支|导出|下载|打印",
        r"statement\w*|history|records?|bills?|receipts?|export|download|print|txn|transactions|past",
    ),
    "fraud": (
        "盗|偷|被骗|诈骗|骗|冒用|陌生|不认识|不是我|没有消费|没买|莫名其妙|不明|没授权|不认可|丢了",
        (
            r"stolen|fraud\w*|hack\w*|scam\w*|unauthori[sz]ed|didn'?t make|never made|don'?t recogni[sz]e|unknown|"
            "suspicious|strange|without permission|not me"
        ),
    ),
    "complain": (
        "投诉|态度|不满|差评|失望|不礼貌|不专业|踢皮球|挂我电话|太差|说法|不负责",
        (
            r"complain\w*|rude|terrible|unprofessional|disappoint\w*|unhappy|worst|useless|awful|unacceptable|"
            "ridiculous|hung up|poor service"
        ),
    ),
    "product": (
        "手续费|费率|年费|限额|额度|优惠|活动|红包|积分|新功能|新产品|产品|汇率|币种|支持|分期|几点",
        (
            "fees?|rates?|pricing|limits?|promotions?|cashback|offers?|bonus|points|products?|exchange rate|"
            r"currenc\w*|support|installments?|hours|open"
        ),
    ),
    "human": (
        "人工|真人|活人|机器人|转接|坐席|专员|工作人员|跟人",
        "human|person|agent|representative|rep|operator|live|bot|machine|automated|someone|staff",
    ),
    "smalltalk": (
        "你好|在吗|谢谢|早上好|再见|哈哈|哈喽",
        "hello|hi+|thanks?|bye|lol|ok|hmm+|good morning",
    ),
}


def cue_pattern(cjk: str, latin: str) -> re.Pattern[str]:
    """One regex for alternatives written without (cjk) and with (latin) word boundaries."""
    parts = [cjk] if cjk else []
    if latin:
        parts.append(f"(?<![a-z])(?:{latin})(?![a-z])")
    return re.compile("|".join(parts))


@cache
def _concepts() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The concept cues' patterns, compiled on first use: a handler that only imports the package
    (for the intent ids) does not pay for them."""
    return tuple((name, cue_pattern(cjk, latin)) for name, (cjk, latin) in CONCEPT_CUES.items())


# Variant spellings customers use interchangeably; folding them lets one training
# example cover both ("帐户"/"账户", the IME slip "登陆" for "登录"). Applied after the
# Traditional -> Simplified fold, so Taiwanese/Hong Kong words are listed in their folded
# form ("登入" login, "简讯" SMS, "资讯" information).
_VARIANTS = (("帐", "账"), ("登陆", "登录"), ("登入", "登录"), ("简讯", "短信"), ("资讯", "信息"))

T2S_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "t2s.json")


@cache
def _t2s_table() -> dict[int, int]:
    """Traditional -> Simplified characters (tools/build_t2s.py), read on first use: a
    Traditional message then shares every feature with its Simplified twin."""
    with open(T2S_PATH, encoding="utf-8") as f:
        doc = json.load(f)
    return str.maketrans(doc["traditional"], doc["simplified"])


def normalize(text: str) -> str:
    """NFKC (full-width -> half-width), lowercase, Traditional -> Simplified, fold variants,
    digit runs -> "0"."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_t2s_table())
    for old, new in _VARIANTS:
        text = text.replace(old, new)
    # Amounts, dates and reference numbers carry no intent; one placeholder keeps
    # "charged 2 times" and "charged 3 times" the same feature.
    return _DIGITS.sub("0", text)


def extract_features(text: str, cjk_max: int = 3) -> list[str]:
    """Sorted, de-duplicated feature strings for `text`.

    - ``c:`` CJK character 1-``cjk_max`` grams inside each run of ideographs
    - ``n:`` character 3-5 grams of each Latin word padded with ``<``/``>`` (2-grams
      were mostly noise in cross-validation)
    - ``w:`` / ``b:`` Latin word unigrams and bigrams of adjacent words
    - ``k:`` concept cues from CONCEPT_CUES
    """
    norm = normalize(text)
    feats = {"k:" + name for name, pattern in _concepts() if pattern.search(norm)}
    prev_word: str | None = None
    for tok in _TOKEN.findall(norm):
        if _CJK_RUN.fullmatch(tok):
            n_chars = len(tok)
            for n in range(1, cjk_max + 1):
                for i in range(n_chars - n + 1):
                    feats.add("c:" + tok[i : i + n])
            prev_word = None
            continue
        feats.add("w:" + tok)
        if prev_word is not None:
            feats.add("b:" + prev_word + "_" + tok)
        prev_word = tok
        padded = "<" + tok + ">"
        for n in (3, 4, 5):
            for i in range(len(padded) - n + 1):
                feats.add("n:" + padded[i : i + n])
    return sorted(feats)
