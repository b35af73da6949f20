"""A small corpus built with the real pipeline (ingest -> extract -> publish) for stats, query
and report tests: two languages, three sites, captures in two months, an exact duplicate, an
empty page that extraction rejects, and a hostile title."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import archivist
from tests.helpers import article_html, news_pages

HOSTILE_TITLE = '<script>alert("x")</script> & "quotes" <b>bold</b>'

GERMAN = [
    "Die Stadtbibliothek hat am Montag ihre neue Leseabteilung für Kinder und Jugendliche eröffnet.",
    "Nach zwei Jahren Umbau stehen dort mehr als zwölftausend Bücher, Zeitschriften und Spiele bereit.",
    "Die Leiterin sagte, dass die Räume vor allem am Nachmittag von Schulklassen genutzt werden sollen.",
]
FRENCH = [
    "Le conseil municipal a voté jeudi soir la rénovation complète du marché couvert du centre-ville.",
    "Les travaux commenceront au printemps prochain et dureront environ dix-huit mois selon la mairie.",
    "Les commerçants seront installés pendant ce temps sur la place de la gare, à deux pas du marché.",
]
HOSTILE = [
    "This page has a title that tries to inject markup into every report that shows it to a reader.",
    "The extractor keeps the title as text, and every view of the corpus must escape it before display.",
    "A careless report would run the script, and the reader would never notice anything had happened.",
]


def pages() -> dict[str, tuple[str, str, str]]:
    """{filename: (url, captured_at, html)}."""
    out: dict[str, tuple[str, str, str]] = {}
    for i, (name, (url, html)) in enumerate(sorted(news_pages().items())):
        out[name] = (url, f"2026-03-{10 + i:02d}T08:00:00Z", html)
    out["bibliothek.html"] = ("https://zeitung.example/2026/04/bibliothek",
                              "2026-04-02T09:30:00Z", article_html("Neue Leseabteilung eröffnet", GERMAN, lang="de"))
    out["marche.html"] = ("https://zeitung.example/fr/marche",
                          "2026-04-02T11:00:00Z", article_html("Rénovation du marché couvert", FRENCH, lang="fr"))
    out["hostile.html"] = ("https://news.example/2026/04/hostile?q=<x>&a=1",
                           "2026-04-05T12:00:00Z", article_html(HOSTILE_TITLE.replace("&", "&amp;").replace("<", "&lt;"), HOSTILE))
    out["empty.html"] = ("https://empty.example/nothing", "2026-04-06T00:00:00Z",
                         "<!doctype html><html><head><title>Nothing</title></head><body></body></html>")
    return out


def build(root: Path) -> Path:
    """Build the corpus in workspace ``root``; return it (records/, releases/1.0.0/)."""
    folder = root / "pages"
    folder.mkdir(parents=True)
    sidecar = folder / "pages.csv"
    with sidecar.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "url", "captured_at", "license"])
        for name, (url, when, html) in sorted(pages().items()):
            (folder / name).write_text(html, encoding="utf-8")
            w.writerow([name, url, when, "cc-by-4.0"])
    archivist.init(root, "small-corpus")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        rep = archivist.ingest(["pages"], "archives", sidecar=sidecar, corpus_name="small-corpus")
        assert rep.counts["pages_archived"] == len(pages()), rep.to_json()
        archivist.extract(["archives"], "records")
        rep = archivist.publish("records", "1.0.0", "releases")
        assert rep.counts["published"] == 1, rep.to_json()
    finally:
        os.chdir(cwd)
    return root


_BUILT: dict[str, Path] = {}


def built_once(base: Path) -> Path:
    """One build per test session, shared by every module that asks."""
    if "root" not in _BUILT:
        _BUILT["root"] = build(base / "small-corpus")
    return _BUILT["root"]
