"""New article text in a site's own language, drawn from the text of one example article.

Reshuffling one article's paragraphs gives pages that a near-duplicate detector rightly joins
(5-word shingles shared by most pages of a site), which a real news crawl is not. Here each
sentence is one of the example's sentences with most of its content words (and all numbers)
swapped for other words of the same example and the same shape (capitalised or not; for
Japanese, a run of kanji for a run of kanji, of katakana for katakana). Function words,
punctuation and sentence shapes stay, so the text stays in its language and script (language
identification, charsets and tokenisers see what they see on real pages), while two articles
of one site share few 5-word shingles.

Everything is drawn from the ``random.Random`` given: the same seed gives the same text.
"""

from __future__ import annotations

import html
import random
import re

_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"\s+")
# Japanese: runs of kanji and of katakana are the content words; kana particles stay.
_JA_RUNS = re.compile(r"([\u4e00-\u9fff々〆]+|[\u30a1-\u30faー]{2,}|[0-9０-９]+)")
_WORDS = re.compile(r"(\w+)")
_JA_SENT = re.compile(r"(?<=。)")
_SENT = re.compile(r"(?<=[.!?…»])\s+")
SWAP = 0.65  # share of content words swapped: enough that few 5-word windows survive intact


def plain(fragment: str) -> str:
    return html.unescape(_WS.sub(" ", _TAG.sub("", fragment))).strip()


def _digits(rng: random.Random, word: str) -> str:
    full = word[0] in "０１２３４５６７８９"
    out = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in word[1:])
    return out.translate(str.maketrans("0123456789", "０１２３４５６７８９")) if full else out


class TextPool:
    """Sentences of one language, made new on each draw from the words of ``texts``."""

    def __init__(self, texts: list[str], lang: str) -> None:
        self.ja = lang == "ja"
        self.splitter = _JA_RUNS if self.ja else _WORDS
        sents: list[str] = []
        for t in texts:
            sents += [s.strip() for s in (_JA_SENT if self.ja else _SENT).split(t) if len(s.strip()) > (12 if self.ja else 30)]
        if not sents:
            raise ValueError(f"no sentences to build {lang} text from")
        self.sentences = sents
        # the pieces of each sentence, split once: even indices are kept as they are
        self.pieces = [self.splitter.split(s) for s in sents]
        self.words: dict[str, list[str]] = {}
        # per sentence, the pieces that may change and their shape (worked out once)
        self.slots: list[list[tuple[int, str]]] = []
        for parts in self.pieces:
            slots = []
            for i in range(1, len(parts), 2):
                k = self._shape(parts[i])
                if k:
                    self.words.setdefault(k, []).append(parts[i])
                    slots.append((i, k))
            self.slots.append(slots)
        for k in self.words:
            self.words[k] = sorted(set(self.words[k]))

    def _shape(self, w: str) -> str | None:
        if w.isdigit():
            return "digit"
        if self.ja:
            return "kata" if "\u30a1" <= w[0] <= "\u30fa" or w[0] == "ー" else "kanji"
        if len(w) < 4:
            return None  # short words (articles, prepositions, pronouns) keep the grammar
        return "upper" if w[0].isupper() else "lower"

    def sentence(self, rng: random.Random) -> str:
        j = rng.randrange(len(self.pieces))
        parts = list(self.pieces[j])
        words, random_ = self.words, rng.random
        for i, k in self.slots[j]:
            if k == "digit":
                parts[i] = _digits(rng, parts[i])
            elif random_() < SWAP:
                pool = words[k]
                parts[i] = pool[int(random_() * len(pool))]
        s = "".join(parts)
        return s[0].upper() + s[1:] if not self.ja else s

    def text(self, rng: random.Random, chars: int) -> str:
        """Sentences joined until about ``chars`` characters."""
        out: list[str] = []
        n = 0
        while n < chars:
            s = self.sentence(rng)
            out.append(s)
            n += len(s) + 1
        return ("" if self.ja else " ").join(out)

    def label(self, rng: random.Random, lo: int) -> str:
        """A few words of the language (a menu entry, a caption credit): at least ``lo`` characters."""
        keys = ("kanji", "kata") if self.ja else ("upper", "lower", "lower")
        out, n = [], 0
        while n < lo:
            w = rng.choice(self.words[rng.choice(keys)])
            out.append(w)
            n += len(w) + 1
        s = ("" if self.ja else " ").join(out)
        return s[0].upper() + s[1:]

    def headline(self, rng: random.Random, lo: int, hi: int) -> str:
        """A sentence cut to ``lo``-``hi`` characters at a word boundary, without its full stop."""
        s = self.sentence(rng)
        n = rng.randint(lo, hi)
        if len(s) > n:
            cut = s[:n]
            space = cut.rfind(" ") if not self.ja else cut.rfind("、")
            s = cut[:space] if space > n // 2 else cut
        return s.rstrip(" .。、,;:").replace('"', "").replace("\\", "")
