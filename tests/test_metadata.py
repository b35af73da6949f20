"""Every content field of a record from self-written pages: each date source, author forms,
attribution patterns, canonical, site name, description, outlinks, and the future-date guard."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from archivist.attribution import AGENCIES, find_attribution, mentions_agency
from archivist.extractor import extract_bytes
from archivist.language import identify
from archivist.metadata import credit_from_text, extract_metadata, parse_date

_AGENCY_SPELLINGS = sorted({n for spellings in AGENCIES.values() for n in spellings})

CAPTURE = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
URL = "https://news.example/world/story"
PROSE = "<p>The council voted on Tuesday to extend the tram line to the airport, ending a debate that had lasted more than a decade.</p>"


def md(head: str = "", body: str = "", url: str | None = URL, captured: datetime | None = CAPTURE, text: str = ""):  # type: ignore[no-untyped-def]
    html = f"<html><head>{head}</head><body>{body or PROSE}</body></html>"
    tree = LexborHTMLParser(html)
    # Without main text, the credit is looked for in the page outside its chrome.
    return credit_from_text(extract_metadata(tree, url, captured), text, page=tree)


def ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


# ------------------------------------------------------------------ dates


def test_published_from_jsonld_wins_and_is_utc() -> None:
    m = md(ld({"@type": "NewsArticle", "datePublished": "2026-03-14T10:30:00+01:00"})
           + '<meta property="article:published_time" content="2026-03-10T00:00:00Z">', url="https://news.example/2026/03/01/x")
    assert m.published == datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    assert m.published_source == "jsonld"


def test_published_from_jsonld_graph_and_list() -> None:
    m = md(ld({"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "X"}, {"@type": ["NewsArticle"], "datePublished": "2026-02-01"}]}))
    assert (m.published, m.published_source) == (datetime(2026, 2, 1, tzinfo=UTC), "jsonld")
    m = md(ld([{"@type": "BreadcrumbList"}, {"@type": "BlogPosting", "datePublished": "2026-02-02T08:00:00Z"}]))
    assert m.published == datetime(2026, 2, 2, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    "head,body",
    [
        ('<meta property="article:published_time" content="2026-03-14T10:00:00+0100">', ""),
        ('<meta property="og:published_time" content="2026-03-14T09:00:00Z">', ""),
        ('<meta name="dc.date" content="2026-03-14T09:00:00Z">', ""),
        ('<meta name="DC.date.issued" content="2026-03-14T09:00:00Z">', ""),
        ("", f'<span itemprop="datePublished" content="2026-03-14T09:00:00Z">14/3</span>{PROSE}'),
        ("", f'<time datetime="2026-03-14T11:00:00+02:00">14 March</time>{PROSE}'),
    ],
)
def test_published_from_meta_sources(head: str, body: str) -> None:
    m = md(head, body, url="https://news.example/2026/01/01/older-url-date")
    assert (m.published, m.published_source) == (datetime(2026, 3, 14, 9, 0, tzinfo=UTC), "meta")


@pytest.mark.parametrize(
    "url",
    ["https://n.example/2026/03/14/storm", "https://n.example/news/2026-03-14-storm", "https://n.example/a/20260314/storm.html"],
)
def test_published_from_url(url: str) -> None:
    m = md(url=url)
    assert (m.published, m.published_source) == (datetime(2026, 3, 14, tzinfo=UTC), "url")


@pytest.mark.parametrize(
    "byline",
    ["By Ann Lee, March 14, 2026", "Publié le 14 mars 2026", "Veröffentlicht am 14. März 2026", "14 de marzo de 2026",
     "14 марта 2026", "14.03.2026 10:15"],
)
def test_published_from_byline_text(byline: str) -> None:
    m = md(body=f'<div class="byline">{byline}</div>{PROSE}', url="https://n.example/story")
    assert (m.published, m.published_source) == (datetime(2026, 3, 14, tzinfo=UTC), "text")


def test_future_date_is_discarded_and_next_source_tried() -> None:
    # JSON-LD says a date after the capture: impossible, so the meta date is used.
    m = md(ld({"@type": "NewsArticle", "datePublished": "2026-05-01T00:00:00Z"})
           + '<meta property="article:published_time" content="2026-03-01T00:00:00Z">')
    assert (m.published, m.published_source) == (datetime(2026, 3, 1, tzinfo=UTC), "meta")
    # Every declared date is in the future: falls through to the URL.
    m = md('<meta property="article:published_time" content="2027-01-01T00:00:00Z">', url="https://n.example/2026/03/02/x")
    assert (m.published, m.published_source) == (datetime(2026, 3, 2, tzinfo=UTC), "url")
    # Later than the capture by one hour is still later.
    m = md('<meta property="article:published_time" content="2026-03-20T13:00:00Z">', url="https://n.example/x")
    assert m.published is None and m.published_source is None
    # The same instant as the capture is admissible.
    m = md('<meta property="article:published_time" content="2026-03-20T13:00:00+01:00">')
    assert m.published == CAPTURE


def test_no_capture_date_no_guard() -> None:
    m = md('<meta property="article:published_time" content="2030-01-01T00:00:00Z">', captured=None)
    assert m.published == datetime(2030, 1, 1, tzinfo=UTC)


def test_modified_from_jsonld_and_meta() -> None:
    m = md(ld({"@type": "NewsArticle", "datePublished": "2026-03-01", "dateModified": "2026-03-02T10:00:00-05:00"}))
    assert m.modified == datetime(2026, 3, 2, 15, tzinfo=UTC)
    m = md('<meta property="article:modified_time" content="2026-03-03T00:00:00Z">')
    assert m.modified == datetime(2026, 3, 3, tzinfo=UTC)
    m = md('<meta property="article:modified_time" content="2026-04-03T00:00:00Z">')
    assert m.modified is None  # after the capture


def test_parse_date_spellings() -> None:
    want = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    for s in ["2026-03-14T09:00:00Z", "2026-03-14T10:00:00+01:00", "2026-03-14T10:00:00+0100", "2026-03-14 09:00:00",
              "Sat, 14 Mar 2026 09:00:00 GMT", "2026-03-14T09:00:00.123456789Z"]:
        assert parse_date(s) == want, s
    assert parse_date("20260314") == datetime(2026, 3, 14, tzinfo=UTC)
    assert parse_date("yesterday") is None and parse_date("") is None


# ------------------------------------------------------------------ authors


def test_authors_from_jsonld_objects_list_and_string() -> None:
    m = md(ld({"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Ann Lee"}, {"@type": "Person", "name": "Bo Chan"}, {"name": "Ann Lee"}]}))
    assert m.authors == ["Ann Lee", "Bo Chan"]
    m = md(ld({"@type": "Article", "author": {"@type": "Person", "name": "Carla Diaz", "url": "https://n.example/carla"}}))
    assert m.authors == ["Carla Diaz"]
    m = md(ld({"@type": "Article", "author": "Dan Evans and Eve Fox"}))
    assert m.authors == ["Dan Evans", "Eve Fox"]


def test_authors_from_meta_skip_urls() -> None:
    m = md('<meta name="author" content="Gina Hart">'
           '<meta property="article:author" content="https://www.facebook.com/gina.hart">')
    assert m.authors == ["Gina Hart"]


@pytest.mark.parametrize(
    "line,names",
    [
        ("By Ivan Jones and Kate Lam", ["Ivan Jones", "Kate Lam"]),
        ("Par Louise Martin et Marc Noël", ["Louise Martin", "Marc Noël"]),
        ("Von Nina Ott und Paul Quast", ["Nina Ott", "Paul Quast"]),
        ("By Rosa Sanz | 14 March 2026", ["Rosa Sanz"]),
    ],
)
def test_authors_from_byline(line: str, names: list[str]) -> None:
    m = md(body=f'<p class="byline">{line}</p>{PROSE}')
    assert m.authors == names
    m = md(body=f"<article><h1>Head</h1><p>{line}</p>{PROSE}</article>")
    assert m.authors == names


# ------------------------------------------------------------------ attribution


@pytest.mark.parametrize(
    "text,agency",
    [
        ("PARIS (AFP) - Le gouvernement a annoncé", "AFP"),
        ("WASHINGTON, March 3 (Reuters) - The U.S. Senate", "Reuters"),
        ("The mayor said so. (AP)", "AP"),
        ("Der Bundestag hat beschlossen. (dpa)", "dpa"),
        ("Texte du discours.\nAvec AFP", "AFP"),
        ("Story text.\nSource: Reuters", "Reuters"),
        ("Bild: © AFP 2026", "AFP"),
        ("He left the room. — Reuters", "Reuters"),
        ("Quelle: dpa", "dpa"),
        ("ROMA (ANSA) - Il governo", "ANSA"),
        ("MADRID, 3 mar (EFE).- El Gobierno", "EFE"),
        ("Pekín (Xinhua) -- China", "Xinhua"),
        ("МОСКВА, 3 марта. /ТАСС/. Президент", "TASS"),
        ("МОСКВА, 3 мар - РИА Новости.\nИсточник: РИА Новости", "RIA Novosti"),
        ("WARSZAWA (PAP) - Sejm", "PAP"),
        ("Πηγή: ΑΠΕ-ΜΠΕ", "ANA-MPA"),
        ("TOKYO (Kyodo) -- Japan", "Kyodo"),
        ("according to the Associated Press.\n— Associated Press", "AP"),
    ],
)
def test_attribution_patterns(text: str, agency: str) -> None:
    assert find_attribution(text) == agency


@pytest.mark.parametrize("text", ["He spoke with Reuters reporters on Monday.", "The AP stylebook is widely used.", "An afp value"])
def test_attribution_needs_a_credit_pattern(text: str) -> None:
    assert find_attribution(text) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_AGENCY_SPELLINGS, "A", "P", "Ag", "Agence ", "Reu", " ", "x", "ТА", "新华"]), max_size=8))
def test_mentions_agency_is_a_substring_test(parts: list[str]) -> None:
    # The prefix-factored regex must answer as "does any spelling occur" would, pieces of
    # spellings included (a prefix shared by two spellings, a spelling cut short).
    text = "".join(parts)
    assert mentions_agency(text) == any(n in text for spellings in AGENCIES.values() for n in spellings)


def test_attribution_from_jsonld_and_from_the_page() -> None:
    m = md(ld({"@type": "NewsArticle", "sourceOrganization": {"@type": "Organization", "name": "Agence France-Presse"}}))
    assert m.source_attribution == "AFP"
    m = md(ld({"@type": "NewsArticle", "provider": {"name": "Reuters"}}))
    assert m.source_attribution == "Reuters"
    m = md(body=f"{PROSE}<p class='credit'>© Reuters</p>")
    assert m.source_attribution == "Reuters"
    m = md(text="BERLIN (dpa) - Text of the story")
    assert m.source_attribution == "dpa"
    # a credit in the footer's chrome is not the article's
    m = md(body=f"{PROSE}<footer><p>Source: AFP</p></footer>")
    assert m.source_attribution is None


# ------------------------------------------------------------------ title, canonical, site, description


def test_title_site_and_canonical() -> None:
    m = md('<title>Tram line reaches the airport | City Gazette</title><link rel="canonical" href="/tram?ref=1">')
    assert m.title == "Tram line reaches the airport"
    assert m.site_name == "City Gazette"
    assert m.canonical_url == "https://news.example/tram?ref=1"
    m = md('<title>Tram – City Gazette</title><meta property="og:site_name" content="The City Gazette">'
           '<meta property="og:title" content="Tram line reaches the airport | The City Gazette">'
           '<meta property="og:url" content="https://gazette.example/tram">')
    assert (m.title, m.site_name, m.canonical_url) == ("Tram line reaches the airport", "The City Gazette", "https://gazette.example/tram")
    m = md(ld({"@type": "NewsArticle", "headline": "Headline from JSON-LD", "publisher": {"@type": "Organization", "name": "Gazette Group"}}))
    assert (m.title, m.site_name) == ("Headline from JSON-LD", "Gazette Group")
    m = md(body=f"<h1>Only an h1</h1>{PROSE}")
    assert m.title == "Only an h1"
    m = md('<link rel="canonical" href="javascript:void(0)">')
    assert m.canonical_url is None


def test_description() -> None:
    assert md('<meta name="description" content="  The tram\n line  ">').description == "The tram line"
    assert md('<meta property="og:description" content="OG summary">').description == "OG summary"
    assert md().description is None


# ------------------------------------------------------------------ outlinks


def test_outlinks_from_content_not_chrome() -> None:
    body = (
        '<header><a href="/">Home</a></header><nav><a href="/world">World</a></nav>'
        '<article><p>Read the <a href="/report.pdf#p2">full report</a> and <a href="https://other.example/a">this</a>.'
        ' Again <a href="/report.pdf">the report</a>, <a href="#top">top</a>, <a href="mailto:x@y.z">mail</a>,'
        ' <a href="story">itself</a>.</p>'
        '<div class="share-bar"><a href="https://facebook.example/sharer.php?u=x">Facebook</a></div>'
        '<div role="navigation"><a href="/next">Next</a></div><div id="cmp" class="cmp-banner"><a href="/privacy">Privacy</a></div>'
        '<aside class="read-also"><ul><li><a href="/world/other-story">Read also: other story</a></li></ul></aside></article>'
        '<footer><a href="/privacy">Privacy</a></footer>'
    )
    m = md(body=body, url="https://news.example/world/story")
    assert m.outlinks == [
        {"url": "https://news.example/report.pdf", "text": "full report"},
        {"url": "https://other.example/a", "text": "this"},
        {"url": "https://news.example/world/other-story", "text": "Read also: other story"},
    ]


def test_outlinks_from_a_content_root_when_given() -> None:
    tree = LexborHTMLParser('<html><body><div id="side"><a href="/side">side</a></div><div id="main"><a href="/in">in</a></div></body></html>')
    m = extract_metadata(tree, URL, CAPTURE, content_root=tree.css_first("#main"))
    assert m.outlinks == [{"url": "https://news.example/in", "text": "in"}]
    # An anchor given as the root is its own only link.
    m = extract_metadata(tree, URL, CAPTURE, content_root=tree.css_first('a[href="/side"]'))
    assert m.outlinks == [{"url": "https://news.example/side", "text": "side"}]


# ------------------------------------------------------------------ whole page through the extractor


def test_every_content_field_through_extract_bytes() -> None:
    head = (
        "<title>Tram reaches the airport | City Gazette</title>"
        '<meta name="description" content="The council voted to extend the tram line.">'
        '<link rel="canonical" href="https://gazette.example/tram">'
        + ld({"@type": "NewsArticle", "headline": "Tram reaches the airport", "datePublished": "2026-03-14T08:00:00Z",
              "dateModified": "2026-03-15T08:00:00Z", "author": {"@type": "Person", "name": "Ann Lee"},
              "publisher": {"@type": "Organization", "name": "City Gazette"}})
    )
    body = (
        '<nav><a href="/">Home</a></nav><article><h1>Tram reaches the airport</h1>'
        "<p>GAZETTE CITY (Reuters) - The council voted on Tuesday to extend the tram line to the airport, ending a debate that had lasted more than a decade.</p>"
        '<p>The work will start next spring, the <a href="/council">council</a> said in a statement published on its website.</p></article>'
    )
    html = f"<html><head>{head}</head><body>{body}</body></html>".encode()
    doc = extract_bytes(html, "text/html", url="https://gazette.example/tram?utm=x", captured_at=CAPTURE)
    assert doc.title == "Tram reaches the airport"
    assert doc.canonical_url == "https://gazette.example/tram"
    assert doc.authors == ["Ann Lee"]
    assert (doc.published, doc.published_source) == (datetime(2026, 3, 14, 8, tzinfo=UTC), "jsonld")
    assert doc.modified == datetime(2026, 3, 15, 8, tzinfo=UTC)
    assert doc.site_name == "City Gazette"
    assert doc.description == "The council voted to extend the tram line."
    assert doc.source_attribution == "Reuters"
    assert doc.outlinks == [{"url": "https://gazette.example/council", "text": "council"}]
    assert doc.language == "en" and doc.language_confidence and doc.language_confidence > 0.5
    assert "extend the tram line" in doc.text


# ------------------------------------------------------------------ language on short texts


@pytest.mark.parametrize(
    "lang,text",
    [
        ("en", "The storm closed schools across the region."),
        ("en", "I think we should go home now."),
        ("fr", "Le gouvernement a annoncé une réforme des retraites."),
        ("fr", "Il fait beau aujourd'hui."),
        ("de", "Die Regierung hat heute eine neue Reform angekündigt."),
        ("de", "Ich gehe nach Hause."),
        ("ru", "Правительство объявило о новой реформе."),
        ("ru", "Мы идём домой."),
        ("uk", "Уряд сьогодні оголосив нову реформу."),
        ("zh", "政府今天宣布了一项新的改革计划。"),
        ("zh", "我们回家吧。"),
        ("ja", "政府は今日新しい改革を発表しました。"),
        ("el", "Η κυβέρνηση ανακοίνωσε σήμερα νέα μεταρρύθμιση."),
        ("el", "Πάμε σπίτι."),
        ("pl", "Rząd ogłosił dzisiaj nową reformę emerytalną."),
        ("pl", "Idziemy do domu."),
        ("es", "El gobierno anunció hoy una nueva reforma."),
    ],
)
def test_language_on_one_or_two_sentences(lang: str, text: str) -> None:
    got, conf = identify(text)
    assert got == lang
    assert conf is not None and 0 < conf <= 1


def test_language_says_nothing_on_a_button() -> None:
    assert identify("OK") == (None, None)
    assert identify("12345 — !!") == (None, None)


# ------------------------------------------------------------------ text dumps


def _extract_page_json(path: Path) -> dict:  # type: ignore[type-arg]
    exe = Path(sys.executable).with_name("archivist")
    proc = subprocess.run([str(exe), "extract-page", str(path), "--format", "json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_sample_text_dump_via_cli(sample_page: Path) -> None:
    d = _extract_page_json(sample_page)
    assert d["language"] == "fr"
    assert d["title"] == "Syrie : en pleine offensive contre Daesh, les Etats-Unis lâchent en vol leurs alliés"
    assert d["text"].count("Syrie : en pleine offensive") == 0  # title given once, in the title field
    assert d["text"].startswith("Selon le Washington Post")
    assert d["text"].endswith("et Daesh.")
    assert d["source_attribution"] == "Reuters"
    low = d["text"].lower()
    for chrome in ("cookie", "consent", "telegram", "tout accepter", "lire aussi", "en savoir plus", "raconter l'actualité"):
        assert chrome not in low, chrome
    texts = [o["text"] for o in d["outlinks"]]
    assert texts == ["150 djihadistes et 260 véhicules de Daesh détruits par des frappes près de Falloujah (VIDEO)",
                     "Budget de la défense US : 600 millions aux rebelles syriens"]


DUMPS = {
    "en": (
        "Ministers agree new climate targets\n\nMinisters agree new climate targets Source: AP\nFollow us on Telegram\n\n"
        "Ministers from twenty countries agreed on Sunday to cut emissions faster than planned, after two days of talks in the capital.\n\n"
        "Read more: Why the last summit failed\n\n"
        "The agreement still has to be ratified by each parliament, which could take until the end of next year.\n\n"
        "Share this article\n\n"
        "We use cookies to improve your experience. By clicking Accept all you consent to the use of cookies for analytics and personalised content.\n\nAccept all",
        "AP", "Why the last summit failed",
    ),
    "de": (
        "Bahnstreik legt Verkehr lahm\n\nBahnstreik legt Verkehr lahm Quelle: dpa\nFolgen Sie uns auf Telegram\n\n"
        "Ein bundesweiter Streik der Lokführer hat am Montag den Bahnverkehr in weiten Teilen des Landes zum Erliegen gebracht.\n\n"
        "Lesen Sie auch: Was Fahrgäste jetzt wissen müssen\n\n"
        "Die Gewerkschaft kündigte an, den Ausstand bis Mittwoch fortzusetzen, falls es kein neues Angebot gibt.\n\n"
        "Wir verwenden Cookies, um Inhalte zu personalisieren. Mit Klick auf Alle akzeptieren erteilen Sie Ihre Einwilligung zur Datenverarbeitung.\n\nAlle akzeptieren",
        "dpa", "Was Fahrgäste jetzt wissen müssen",
    ),
    "es": (
        "El Gobierno aprueba el presupuesto\n\nEl Gobierno aprueba el presupuesto Fuente: EFE\nSíguenos en Telegram\n\n"
        "El Consejo de Ministros aprobó este martes el proyecto de presupuestos para el próximo año tras semanas de negociación.\n\n"
        "Lee también: Las claves de las nuevas cuentas públicas\n\n"
        "El texto se enviará ahora al Congreso, donde necesitará el apoyo de varios grupos para salir adelante.\n\n"
        "Utilizamos cookies propias y de terceros. Puede aceptar todo o configurar cookies en nuestra política de privacidad.\n\nAceptar todo",
        "EFE", "Las claves de las nuevas cuentas públicas",
    ),
    "ru": (
        "Правительство утвердило бюджет\n\nПравительство утвердило бюджет Источник: ТАСС\nПодписывайтесь на нас в Telegram\n\n"
        "Правительство во вторник утвердило проект бюджета на следующий год после нескольких недель обсуждений в министерствах.\n\n"
        "Читайте также: Что изменится в налогах\n\n"
        "Документ будет направлен в Государственную думу, где его рассмотрят в первом чтении уже в октябре.\n\n"
        "Мы используем файлы cookie для улучшения работы сайта. Продолжая, вы соглашаетесь с политикой конфиденциальности.\n\nПринять все",
        "TASS", "Что изменится в налогах",
    ),
}


@pytest.mark.parametrize("lang", sorted(DUMPS))
def test_text_dump_rules_beyond_french(lang: str, tmp_path: Path) -> None:
    dump, agency, read_also = DUMPS[lang]
    doc = extract_bytes(dump.encode(), "text/plain")
    title = dump.split("\n")[0]
    assert doc.title == title and title not in doc.text
    assert doc.language == lang
    assert doc.source_attribution == agency
    assert [o["text"] for o in doc.outlinks] == [read_also]
    assert read_also not in doc.text
    assert len(doc.text.split("\n\n")) == 2  # the two prose paragraphs, nothing else
    assert "telegram" not in doc.text.lower() and "cookie" not in doc.text.lower()


def test_text_dump_byline_and_date_lines_are_metadata() -> None:
    dump = (
        "Storm hits coast\nBy Ann Lee and Bo Chan\n14 March 2026\n"
        "A big storm hit the coast on Friday, cutting power to thousands of homes and closing schools across the region.\n"
        "Officials said repairs would take at least a week, and asked residents to stay indoors until the winds dropped.\n"
    )
    doc = extract_bytes(dump.encode(), "text/plain", captured_at=CAPTURE)
    assert doc.authors == ["Ann Lee", "Bo Chan"]
    assert (doc.published, doc.published_source) == (datetime(2026, 3, 14, tzinfo=UTC), "text")
    assert doc.text.startswith("A big storm") and "Ann Lee" not in doc.text and "14 March" not in doc.text
    # captured before the date on the page: the date cannot be the publication date
    early = extract_bytes(dump.encode(), "text/plain", captured_at=datetime(2026, 3, 1, tzinfo=UTC))
    assert early.published is None and early.published_source is None


@pytest.mark.parametrize(
    "head,body,names",
    [
        ('<meta name="author" content="Sarah E. Needleman">', "", ["Sarah E. Needleman"]),  # no Italian "e" split
        ('<meta name="author" content="Analysis by Chris Cillizza, CNN Editor-at-large">', "", ["Chris Cillizza"]),
        ('<meta name="author" content="Jill Disis, CNN Business"><meta property="og:site_name" content="CNN">', "", ["Jill Disis"]),
        ('<meta name="author" content="Rachael Link, MS, RD">', "", ["Rachael Link"]),
        ("", f'<div class="author">Текст: Лида Буслаева</div>{PROSE}', ["Лида Буслаева"]),
        ("", f'<p class="byline">By Mike Wall and Malcolm Owen Monday</p>{PROSE}', ["Mike Wall", "Malcolm Owen"]),
        ("", f'{PROSE}<form><label class="comment-author">Name (required)</label><input name="author"></form>', []),
        ("", f'<span class="byline-author">ERIC TUCKER<br>Associated Press</span>{PROSE}', ["ERIC TUCKER"]),
    ],
)
def test_author_names_are_cleaned(head: str, body: str, names: list[str]) -> None:
    assert md(head, body).authors == names


def test_agency_in_the_author_list_becomes_the_attribution() -> None:
    m = md('<meta name="author" content="MEG KINNARD, ERRIN HAINES, Associated Press">')
    assert m.authors == ["MEG KINNARD", "ERRIN HAINES"]
    assert m.source_attribution == "AP"
    m = md(ld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Reuters"}}))
    assert m.authors == ["Reuters"] and m.source_attribution == "Reuters"  # the agency is all there is


def test_multi_token_itemprop_and_date_line_under_headline() -> None:
    m = md('<meta property="article:published" itemprop="datePublished dateCreated" content="2026-03-14T09:00:00.000Z">')
    assert (m.published, m.published_source) == (datetime(2026, 3, 14, 9, tzinfo=UTC), "meta")
    m = md(body=f"<h1>Headline</h1><div><span>Input time: 2026-03-14 15:24</span></div>{PROSE}", url="https://n.example/x")
    assert (m.published, m.published_source) == (datetime(2026, 3, 14, tzinfo=UTC), "text")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["@type", "name", "author", "datePublished", "@graph", "publisher", "provider", "sourceOrganization", "dateModified", "headline", "mainEntity"]), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(obj=json_values, meta=st.text(max_size=40), href=st.text(max_size=30))
def test_metadata_never_raises_on_odd_declarations(obj: object, meta: str, href: str) -> None:
    from html import escape

    head = (ld({"@type": "NewsArticle", "author": obj, "datePublished": obj, "publisher": obj, "sourceOrganization": obj})
            + ld(obj) + f'<meta name="author" content="{escape(meta)}"><meta property="article:published_time" content="{escape(meta)}">'
            + f'<link rel="canonical" href="{escape(href)}">')
    body = f'<p class="byline">{escape(meta)}</p><a href="{escape(href)}">x</a>{PROSE}'
    m = md(head, body)
    assert all(isinstance(a, str) and a for a in m.authors)
    assert m.published is None or m.published <= CAPTURE
    assert m.canonical_url is None or m.canonical_url.startswith(("http://", "https://"))


@pytest.mark.parametrize("href", ["http://[x", "//[::1", "javascript:alert(1)", "", "   ", "mailto:a@b.c"])
def test_malformed_links_are_skipped(href: str) -> None:
    m = md(f'<link rel="canonical" href="{href}">', f'<a href="{href}">x</a>{PROSE}', url="http://[bad/2026/03/01/x")
    assert m.canonical_url is None
    assert all(o["url"].startswith(("http://", "https://")) for o in m.outlinks)


@settings(max_examples=400, deadline=None)
@given(path=st.text(alphabet="/.?#;a%é \t\n=&-_", max_size=14), base=st.sampled_from(["https://n.example/a/b?q=1#f", "http://N.example:8080", "HTTPS://x.example/", "ftp://x.example/a"]))
def test_outlink_urls_joined_as_urljoin_joins(path: str, base: str) -> None:
    # Root-relative hrefs take a shortcut past urljoin; it must give what urljoin gives.
    from urllib.parse import urljoin

    href = "/" + path.lstrip("/")  # "//host" is protocol-relative: another rule
    m = md(body=f'<a href="{href}">x</a>', url=base)
    want = urljoin(base, href.strip()).split("#", 1)[0] if base.lower().startswith("http") else None
    if want is None or want == base.split("#", 1)[0]:
        assert m.outlinks == []
    else:
        assert m.outlinks == [{"url": want, "text": "x"}]


def test_xhtml_page_with_an_xml_declaration_is_extracted() -> None:
    # lxml refuses a decoded page that declares an encoding; the one lexbor parse reads it.
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
            '<title>Tram reaches the airport | City Gazette</title><meta name="author" content="Ann Lee" /></head>'
            f"<body>{PROSE}</body></html>")
    doc = extract_bytes(page.encode(), "application/xhtml+xml", url=URL, captured_at=CAPTURE)
    assert (doc.title, doc.site_name, doc.authors) == ("Tram reaches the airport", "City Gazette", ["Ann Lee"])
    assert doc.text.startswith("The council voted")


@settings(max_examples=300, deadline=None)
@given(cls=st.lists(st.sampled_from([*"abcmpsuhrekionlgMENUSHRCKPſKİ -_", "menu", "cmp", "Share", "xcmp", "skip", "1cmp"]), max_size=8).map("".join))
def test_chrome_class_shortcut_agrees_with_the_regex(cls: str) -> None:
    from archivist.metadata import _CHROME_CLASS_CACHE, _CHROME_CLASS_RE, _chrome_class

    _CHROME_CLASS_CACHE.clear()
    assert _chrome_class(cls) == (bool(cls) and _CHROME_CLASS_RE.search(cls) is not None)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("flood", ["<select>" + "<option>x " * 100_000, "<rb>word " * 100_000, "<optgroup>word " * 100_000])
def test_unclosed_tag_flood_reads_flat_without_a_quadratic_parse(flood: str) -> None:
    # lexbor takes 20-40 s over these (quadratic); the text is read flat and the metadata from the page's start.
    page = f'<html><head><title>Flood page | Site</title><meta name="author" content="Ann Lee"></head><body>{PROSE}{flood}'
    doc = extract_bytes(page.encode(), "text/html", url=URL, captured_at=CAPTURE)
    assert (doc.title, doc.authors) == ("Flood page", ["Ann Lee"])
    assert "The council voted on Tuesday" in doc.text  # (a flat reading keeps the title line too)


@pytest.mark.parametrize(
    ("before", "after"),
    [("//<![CDATA[\n", "\n//]]>"), ("<![CDATA[", "]]>"), ("", ""), ("  ", "\n// ]]>  ")],
)
def test_jsonld_in_a_cdata_wrapper(before: str, after: str) -> None:
    obj = {"@type": "NewsArticle", "headline": "Wrapped headline", "datePublished": "2026-03-01T10:00:00Z", "text": "a ]]> inside"}
    m = md(f'<script type="application/ld+json">{before}{json.dumps(obj)}{after}</script>')
    assert m.title == "Wrapped headline"
    assert m.published == datetime(2026, 3, 1, 10, tzinfo=UTC)
