"""The benchmark's generated pages: deterministic, distinct articles in their own language and
charset, each article found again by our extractor, chrome around it (benchmarks/corpus_gen.py)."""

from __future__ import annotations

import re
import sys
from itertools import combinations
from pathlib import Path

import pytest

from archivist.dedup import shingles
from archivist.extractor import extract_bytes

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def gen():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(BENCH))
    try:
        import article_text
        import corpus_gen

        yield corpus_gen, article_text
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def pages(gen) -> list[tuple[str, str, bytes]]:  # type: ignore[no-untyped-def]
    return list(gen[0].pages(30, seed=7))


def _article_paragraphs(page: str, plain) -> list[str]:  # type: ignore[no-untyped-def]
    art = page[page.find("<article") : page.find("</article>")]
    paras = [plain(p) for p in re.findall(r"<p(?:\s[^>]*)?>(.*?)</p>", art, re.S)]
    return [p for p in paras if len(p) > 60]


def test_same_seed_same_bytes_other_seed_other_pages(gen, pages) -> None:  # type: ignore[no-untyped-def]
    assert list(gen[0].pages(30, seed=7)) == pages
    assert [b for _, _, b in gen[0].pages(5, seed=8)] != [b for _, _, b in pages[:5]]


def test_articles_of_a_site_are_distinct(gen, pages) -> None:  # type: ignore[no-untyped-def]
    plain = gen[1].plain
    for site in range(5):
        texts = [" ".join(_article_paragraphs(b.decode(cs), plain)) for _, cs, b in pages[site::5]]
        sets = [shingles(t) for t in texts]
        worst = max(len(a & b) / len(a | b) for a, b in combinations(sets, 2))
        # the near-duplicate threshold is 0.8; reshuffled templates scored about 0.9
        assert worst < 0.2, (site, worst)
        # titles, dates and bylines change from article to article too
        heads = [b.decode(cs)[:4000] for _, cs, b in pages[site::5]]
        titles = {re.search(r'og:title" content="([^"]*)"', h).group(1) for h in heads}  # type: ignore[union-attr]
        dates = {re.search(r'"datePublished":\s*"([^"]+)"', b.decode(cs)).group(1) for _, cs, b in pages[site::5]}  # type: ignore[union-attr]
        assert len(titles) == len(heads) and len(dates) == len(heads)


def test_extractor_finds_each_article_in_its_language(gen, pages) -> None:  # type: ignore[no-untyped-def]
    plain = gen[1].plain
    langs = ["en", "de", "fr", "ru", "ja"]
    for i, (url, cs, body) in enumerate(pages[:10]):
        page = body.decode(cs)
        assert body.decode(cs, errors="strict")  # each page is valid in its site's charset
        doc = extract_bytes(body, "text/html", declared_content_type=f"text/html; charset={cs}", url=url)
        assert doc.language == langs[i % 5], (url, doc.language)
        norm = re.sub(r"\s+", " ", doc.text)
        paras = _article_paragraphs(page, plain)
        found = sum(1 for p in paras if re.sub(r"\s+", " ", p) in norm)
        assert found == len(paras), (url, found, len(paras))
        assert doc.title and doc.published and doc.authors, url
        # the chrome stays out of the article text: no teaser card or menu entry in it
        for teaser in re.findall(r'<h3 class="card__title[^"]*">([^<]+)</h3>', page)[:3]:
            assert plain(teaser) not in norm, (url, teaser)


def test_pages_weigh_what_real_news_pages_weigh(pages) -> None:  # type: ignore[no-untyped-def]
    sizes = sorted(len(b) for _, _, b in pages)
    median = sizes[len(sizes) // 2]
    # the real pages of the extraction bench: median 112 KB (benchmarks/README.md)
    assert 85_000 < median < 140_000, median
    for _, cs, body in pages:
        page = body.decode(cs)
        assert page.count("<script") > 20 and page.count("<div") > 100 and page.count("<a ") > 90
