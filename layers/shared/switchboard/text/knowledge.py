"""Bilingual product_info answers from a small keyword knowledge base (data/knowledge.json).

Scoring: the question and each article's keywords (both languages, since a Chinese question may carry
English words) become terms: Latin words (light plural stemming) and Chinese character bigrams. An
article scores the IDF-weighted sum of shared terms plus a bonus per whole keyword phrase found in the
question. Below MIN_SCORE nothing is answered, so off-topic text gets None.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parents[1] / "data" / "knowledge.json"
LANGUAGES = ("zh-CN", "en")
MIN_SCORE = 2.5
PHRASE_BONUS = 1.0


@dataclass(frozen=True)
class KnowledgeAnswer:
    article_id: str
    text: str  # in the requested language
    score: float


@dataclass(frozen=True)
class _Article:
    id: str
    terms: frozenset[str]
    phrases: tuple[re.Pattern[str] | str, ...]  # multi-word keywords: regex for Latin, substring for Chinese
    answer: dict[str, str]


_LATIN = re.compile(r"[a-z0-9]+(?:[+'][a-z0-9]+)*")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_EN_STOP = frozenset(
    "a an the is are am was were be been do does did i my me mine you your yours we our us it its this that "
    "these those to of for in on at by and or with from please can could would should will shall may might "
    "what how when where which who whom why there here any some about much many long get got have has had "
    "hi hello thanks thank want need tell know let if so not no yes just also too very what's whats it's i'm "
    "that's there's how's where's".split()
)
_ZH_STOP = frozenset(
    "什么 怎么 怎样 如何 可以 请问 我的 你们 我们 是否 多少 一下 一个 这个 那个 为什么 有没 没有 需要 能不 不能 "
    "的话 是不 不是 现在 今天 知道 告诉 帮我 我想 想要 你好 谢谢 的吗 了吗 在哪 哪里".split()
)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _terms(text: str) -> set[str]:
    """Terms of already-normalised text."""
    terms = {_stem(w) for w in _LATIN.findall(text) if w not in _EN_STOP}
    for run in _CJK.findall(text):
        if len(run) == 1:
            terms.add(run)
        else:
            terms.update(run[i : i + 2] for i in range(len(run) - 1))
    return terms - _ZH_STOP


def _phrase(keyword: str) -> re.Pattern[str] | str:
    if _CJK.search(keyword):
        return keyword
    return re.compile(r"(?<![a-z0-9])" + re.escape(keyword) + r"(?![a-z0-9])")


@cache
def _knowledge() -> tuple[tuple[_Article, ...], dict[str, float]]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    articles: list[_Article] = []
    seen: set[str] = set()
    for item in raw["articles"]:
        article_id = item["id"]
        if article_id in seen:
            raise ValueError(f"duplicate knowledge article id {article_id!r}")
        seen.add(article_id)
        if any(not item["answer"].get(lang) or not item["keywords"].get(lang) for lang in LANGUAGES):
            raise ValueError(f"knowledge article {article_id!r} needs keywords and an answer in {LANGUAGES}")
        keywords = [_normalise(k) for lang in LANGUAGES for k in item["keywords"][lang]]
        terms: set[str] = set()
        phrases = []
        for keyword in keywords:
            keyword_terms = _terms(keyword)
            terms |= keyword_terms
            if len(keyword_terms) > 1 or " " in keyword:
                phrases.append(_phrase(keyword))
        articles.append(_Article(article_id, frozenset(terms), tuple(phrases), dict(item["answer"])))
    document_frequency: dict[str, int] = {}
    for article in articles:
        for term in article.terms:
            document_frequency[term] = document_frequency.get(term, 0) + 1
    total = len(articles)
    idf = {term: math.log(1 + total / df) for term, df in document_frequency.items()}
    return tuple(articles), idf


def _score(article: _Article, question: str, terms: set[str], idf: dict[str, float]) -> float:
    score = sum(idf[t] for t in terms & article.terms)
    for phrase in article.phrases:
        if phrase.search(question) if isinstance(phrase, re.Pattern) else phrase in question:
            score += PHRASE_BONUS
    return score


def _language(language: str) -> str:
    # Anything not Chinese gets English: this answers a customer, it should not fail on a locale tag.
    return "zh-CN" if (language or "").lower().startswith("zh") else "en"


def answer(question: str, language: str) -> KnowledgeAnswer | None:
    """The best-matching article's answer in `language` (zh-CN or en), or None if none matches well enough."""
    text = _normalise(question)
    terms = _terms(text)
    if not terms:
        return None
    articles, idf = _knowledge()
    best: tuple[float, _Article] | None = None
    for article in articles:  # strict > keeps the first article on ties: deterministic
        score = _score(article, text, terms, idf)
        if best is None or score > best[0]:
            best = (score, article)
    if best is None or best[0] < MIN_SCORE:
        return None
    score, article = best
    return KnowledgeAnswer(article.id, article.answer[_language(language)], round(score, 4))


def article_ids() -> tuple[str, ...]:
    return tuple(article.id for article in _knowledge()[0])
