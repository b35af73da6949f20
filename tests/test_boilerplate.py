"""Site boilerplate learned across pages: removed where many pages of a host repeat it, kept elsewhere."""

from __future__ import annotations

import random

from archivist.boilerplate import BoilerplateLearner, host_of, learn

DISCLAIMER = "The views expressed by contributors are their own and not the view of The Daily Ledger."
SUBSCRIBE = "Subscribe to our newsletter for the day's top stories, delivered every morning."
RELATED = ["Most read", "Council approves new budget after long debate", "Storm closes coastal roads for a second day"]
QUOTE = "“We will not stop until the bridge is rebuilt,” the mayor said at the opening ceremony."
WORDS = ["river", "council", "budget", "school", "harbour", "storm", "bridge", "market", "festival", "rail", "museum", "clinic"]


def _article(i: int) -> str:
    rnd = random.Random(i)
    paras = [" ".join(rnd.choice(WORDS) for _ in range(25)).capitalize() + f" (story {i}, part {k})." for k in range(4)]
    if i in (7, 31):  # a quote two stories share: article text, not boilerplate
        paras.insert(2, QUOTE)
    return "\n\n".join(paras)


def _page(i: int, year: int = 2025) -> str:
    related = "\n".join(RELATED)
    return f"{_article(i)}\n\n{DISCLAIMER}\n\n{SUBSCRIBE}\n\n{related}\n\n© {year} The Daily Ledger"


def _site(n: int = 50) -> list[tuple[str, str]]:
    return [(f"https://www.dailyledger.example/news/{i}", _page(i, 2024 + i % 2)) for i in range(n)]


def test_site_chrome_removed_and_article_kept() -> None:
    pages = _site()
    model = learn(pages)
    for i, (url, text) in enumerate(pages):
        out = model.clean(url, text)
        assert out == _article(i), i  # disclaimer, subscribe line, related list and © line (any year) gone
    # The quote two of fifty stories share stays in both.
    assert QUOTE in model.clean(pages[7][0], pages[7][1]) and QUOTE in model.clean(pages[31][0], pages[31][1])
    assert not model.is_boilerplate(pages[7][0], QUOTE)
    assert model.is_boilerplate("https://dailyledger.example/x", "SUBSCRIBE to our newsletter for the day's top stories, delivered every morning.")


def test_other_hosts_untouched_and_small_hosts_learn_nothing() -> None:
    pages = _site()
    other = [(f"https://other.example/{i}", _page(i)) for i in range(3)]  # 3 pages < min_pages
    model = learn(pages + other)
    assert model.summary().keys() == {"dailyledger.example"}
    for url, text in other:
        assert model.clean(url, text) == text
    # A page of another host that happens to carry the same disclaimer keeps it.
    assert model.clean("https://third.example/a", f"Intro.\n\n{DISCLAIMER}") == f"Intro.\n\n{DISCLAIMER}"


def test_share_threshold_and_duplicate_pages() -> None:
    # A line on 6 of 50 pages: above min_pages (5) but under 20%: kept.
    pages = [(u, t + ("\n\nEditor's note: corrected." if i < 6 else "")) for i, (u, t) in enumerate(_site())]
    model = learn(pages)
    assert "Editor's note: corrected." in model.clean(pages[0][0], pages[0][1])
    # One article captured twelve times is one page: its own lines are not learned as boilerplate.
    dup = [("https://blog.example/post", _article(1))] * 12 + [(f"https://blog.example/{i}", _article(100 + i)) for i in range(5)]
    model = learn(dup)
    assert model.clean("https://blog.example/post", _article(1)) == _article(1)
    assert model.summary() == {}


def test_deterministic_whatever_the_order_and_never_empties_a_page() -> None:
    pages = _site()
    a = learn(pages)
    b = learn(list(reversed(pages)))
    assert a == b
    # A stub page made only of the site's chrome is left as it is (no record is emptied).
    stub = f"{DISCLAIMER}\n\n{SUBSCRIBE}"
    assert a.clean("https://dailyledger.example/stub", stub) == stub


def test_learner_incremental_equals_learn_and_host_of() -> None:
    pages = _site(20)
    lr = BoilerplateLearner()
    for url, text in pages:
        lr.add(url, text)
    lr.add(None, None)
    lr.add("not a url", "")
    assert lr.model() == learn(pages)
    assert host_of("https://WWW.Example.org:8080/a") == "example.org"
    assert host_of(None) == "" and host_of("http://[bad") == ""


def test_clean_texts_one_call_for_a_shard() -> None:
    from archivist.boilerplate import clean_texts

    pages = _site(30)
    urls, texts = [u for u, _ in pages], [t for _, t in pages]
    cleaned, model = clean_texts(urls, texts)
    assert cleaned == [_article(i) for i in range(30)]
    assert model.summary() == {"dailyledger.example": len(RELATED) + 3}  # + disclaimer, subscribe, © line
