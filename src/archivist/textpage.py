"""Text dumps of pages (what copy-paste or a text-mode browser gives): find the article in them.

Such dumps repeat the title, carry a source line, social calls-to-action, "read also" lines
and a cookie-consent block. The article is the run of prose between the chrome; chrome lines
are recognised by shape (short, no sentence end) and by phrase lists in several languages.
"Read also" items are kept as links (text only: a dump has no URL), not as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .attribution import find_attribution, normalise_agency
from .metadata import _BYLINE_RE, dates_in_text, split_names

_SOURCE_RE = re.compile(
    r"(?:^|\s)(?:source|sources|quelle|fuente|fonte|источник|źródło|πηγή|bron)\s*:\s*([^\n|•·]{2,60}?)\s*$",
    re.IGNORECASE,
)
_READ_ALSO_RE = re.compile(
    r"^\s*(?:lire aussi|à lire aussi|a lire aussi|en savoir plus|voir aussi|read also|read more|see also|see more|"
    r"related|related articles?|more on this|also read|you may also like|lesen sie auch|lesen sie mehr|mehr zum thema|siehe auch|"
    r"auch interessant|lee también|leer más|lea también|ver también|te puede interesar|más información|leggi anche|"
    r"читайте также|читайте еще|смотрите также|по теме|"
    r"читайте также|подробнее|czytaj też|czytaj także|zobacz też|διαβάστε επίσης|相关阅读|延伸阅读|関連記事)"
    r"\s*[:：\-–—]\s*(.+)$",
    re.IGNORECASE,
)
_SOCIAL_RE = re.compile(
    r"(?:suivez|follow|abonnez|subscribe|rejoignez|join us|folgen sie|síguenos|seguici|подписывайтесь|"
    r"obserwuj|ακολουθήστε|關注|关注|partager|share (?:on|this)|teilen|folgen|sigue|síganos|follow us|"
    r"подпишитесь|присоединяйтесь|читайте нас|mehr news|únete|descarga)\b.{0,60}"
    r"(?:telegram|twitter|facebook|instagram|youtube|tiktok|whatsapp|vk|x\.com|linkedin|newsletter|rss)",
    re.IGNORECASE,
)
_CONSENT_WORDS = re.compile(
    r"cookie|traceur|consent|données personnelles|personal data|privacy|confidentialit|datenschutz|"
    r"tout accepter|tout refuser|accept all|reject all|alle akzeptieren|paramétrer vos choix|manage (?:your )?(?:choices|preferences)|"
    r"политик[аи] конфиденциальности|файлы cookie|куки|принять все|отклонить все|prywatności|απορρήτου|隐私|クッキー|"
    r"alle ablehnen|einwilligung|aceptar todo|rechazar todo|política de privacidad|configurar cookies|"
    r"we use cookies|this (?:site|website) uses|nous utilisons des|utilise des cookies|verwendet cookies|utiliza cookies",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…»\"'”)\]。！？]$")
_MIN_PROSE = 80  # characters of a line that reads as prose rather than chrome


@dataclass
class TextPage:
    title: str | None
    text: str
    source_attribution: str | None
    outlinks: list[dict[str, str | None]] = field(default_factory=list)
    visible_chars: int = 0
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None  # from a byline/date line, never after captured_at


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().casefold()


def _is_prose(line: str) -> bool:
    return len(line) >= _MIN_PROSE or (len(line) >= 30 and bool(_SENTENCE_END.search(line)))


def _is_chrome(line: str) -> bool:
    return bool(_SOCIAL_RE.search(line) or _CONSENT_WORDS.search(line))


def parse(text: str, captured_at: datetime | None = None) -> TextPage:
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    nonempty = [ln for ln in lines if ln]
    visible = sum(len(re.sub(r"\s", "", ln)) for ln in nonempty)
    if not nonempty:
        return TextPage(None, "", None, [], 0)

    title = nonempty[0] if not _is_prose(nonempty[0]) or len(nonempty[0]) < 200 else None
    tnorm = _norm(title) if title else None
    attribution: str | None = None
    outlinks: list[dict[str, str | None]] = []
    kept: list[str] = []
    authors: list[str] = []
    published: datetime | None = None
    latest = captured_at.astimezone(UTC) if captured_at and captured_at.tzinfo else (captured_at.replace(tzinfo=UTC) if captured_at else None)

    for ln in nonempty[1:] if title else nonempty:
        if len(ln) <= 120 and not _is_prose(ln):
            # Byline and date lines ("By Ann Lee", "Par X | 14 mars 2026") are metadata, not text.
            if _BYLINE_RE.match(ln) and not authors and (names := [n for n in split_names(ln) if 1 <= len(n.split()) <= 5 and not any(c.isdigit() for c in n)]):
                authors = names
                published = published or next((d for d in dates_in_text(ln) if latest is None or d <= latest), None)
                continue
            if published is None and (d := next((d for d in dates_in_text(ln) if latest is None or d <= latest), None)):
                published = d
                continue
        m = _SOURCE_RE.search(ln)
        if m and (not _is_prose(ln[: m.start()] or "x") or (tnorm and _norm(ln[: m.start()]) == tnorm)):
            attribution = attribution or normalise_agency(m.group(1)) or m.group(1).strip()
            continue
        if len(ln) <= 40 and not _is_prose(ln) and (credit := find_attribution(ln)):
            attribution = attribution or credit  # a credit line of its own ("Avec AFP", "— Reuters")
            continue
        if tnorm and _norm(ln) == tnorm:
            continue  # the title repeated
        ra = _READ_ALSO_RE.match(ln)
        if ra:
            outlinks.append({"url": None, "text": ra.group(1).strip()})
            continue
        if _is_chrome(ln):
            continue
        kept.append(ln)

    # The article is the span from the first to the last prose line; short lines outside it
    # (slogans, buttons such as "OK") are chrome.
    prose_idx = [i for i, ln in enumerate(kept) if _is_prose(ln)]
    body = kept[prose_idx[0] : prose_idx[-1] + 1] if prose_idx else []
    if attribution is None:
        attribution = find_attribution("\n".join(body))
    return TextPage(
        title=title,
        text="\n\n".join(body),
        source_attribution=attribution,
        outlinks=outlinks,
        visible_chars=visible,
        authors=authors,
        published=published,
    )
