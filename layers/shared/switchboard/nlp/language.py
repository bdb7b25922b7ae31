"""Reply-language detection: "zh-CN" when the customer wrote meaningful Chinese, else "en"."""

from __future__ import annotations

import re
import unicodedata

from .features import CJK_CLASS

_CJK_CHAR = re.compile(f"[{CJK_CLASS}]")
_LATIN_LETTER = re.compile(r"[a-z]", re.IGNORECASE)


def detect_language(text: str) -> str:
    """Mixed text ("我的account被lock了") counts as Chinese: a customer who writes any real
    Chinese expects a Chinese reply. A lone ideograph inside an otherwise English sentence
    (a surname, a shop name) does not. Empty, digits, emoji and punctuation -> "en"."""
    text = unicodedata.normalize("NFKC", text or "")
    cjk = len(_CJK_CHAR.findall(text))
    if cjk >= 2:
        return "zh-CN"
    if cjk == 1 and len(_LATIN_LETTER.findall(text)) < 4:
        return "zh-CN"
    return "en"
