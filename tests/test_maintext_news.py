"""Held-out-style news pages in five languages (self-written, shaped like real portals).

Each page in tests/data/news carries heavy chrome: cookie/consent walls, menus, tickers, ad slots
with labels, "read also" lines, share bars, related and popular lists, comment sections, footers;
the Chinese page is a table layout without spaces, the Polish, Greek and Russian pages use class
names in transliteration (rodo, tresc, sxetika, podpiska...). The truth files hold the article text
alone. The same pages with every class and id renamed to a meaningless token check that the
content heuristics, not the names, carry the choice.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from archivist.extractor import extract_bytes
from archivist.maintext import extract

NEWS = Path(__file__).parent / "data" / "news"
LANGS = ["en", "zh", "pl", "el", "ru"]
_CJK = re.compile(r"([\u3400-\u9fff])")


def _toks(s: str) -> Counter[str]:
    return Counter(_CJK.sub(r" \1 ", re.sub(r"[^\w\s]", " ", s.casefold())).split())


def token_f1(truth: str, pred: str) -> float:
    a, b = _toks(truth), _toks(pred)
    common = sum((a & b).values())
    if not common:
        return 0.0
    p, r = common / sum(b.values()), common / sum(a.values())
    return 2 * p * r / (p + r)


def _page(lang: str) -> tuple[str, str]:
    return (NEWS / f"{lang}.html").read_text("utf-8"), (NEWS / f"{lang}.txt").read_text("utf-8")


def _anonymise(html: str) -> str:
    n = iter(range(10_000))
    return re.sub(r'\b(class|id)="[^"]*"', lambda m: f'{m.group(1)}="b{next(n)}"', html)


@pytest.mark.parametrize("lang", LANGS)
def test_news_page_text(lang: str) -> None:
    html, truth = _page(lang)
    got = extract(html).text
    assert token_f1(truth, got) >= 0.97, got


@pytest.mark.parametrize("lang", ["zh", "pl", "el", "ru"])
def test_news_page_text_without_class_names(lang: str) -> None:
    html, truth = _page(lang)
    got = extract(_anonymise(html)).text
    assert token_f1(truth, got) >= 0.94, got
    # Ad-slot labels go even when the slot's class says nothing.
    for label in ("Advertisement", "REKLAMA", "ΔΙΑΦΗΜΙΣΗ", "Реклама"):
        assert label not in got


@pytest.mark.xfail(reason="a comment section of prose inside <main>, with no name telling it apart, is taken with the article", strict=True)
def test_news_page_en_comments_without_class_names() -> None:
    html, truth = _page("en")
    assert token_f1(truth, extract(_anonymise(html)).text) >= 0.94


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("en", "Flood defences fail as river hits record level"),
        ("zh", "南方多地遭遇强降雨 多条高速公路临时封闭"),
        ("pl", "Sejm przyjął ustawę o ochronie lasów"),
        ("el", "Νέο πρόγραμμα στήριξης για τους αγρότες της Θεσσαλίας"),
        ("ru", "В Новосибирске открыли новый мост через Обь"),
    ],
)
def test_news_record_language_and_title_once(lang: str, title: str) -> None:
    doc = extract_bytes((NEWS / f"{lang}.html").read_bytes(), "text/html", url=f"https://news.example/{lang}/1")
    assert doc.language == lang
    assert doc.title == title
    assert title not in doc.text
    for chrome in ("cookie", "Cookie", "©", "Copyright"):
        assert chrome not in doc.text
