"""Offline language identification (py3langid's bundled model: no download at run time)."""

from __future__ import annotations

from functools import cache

# Very short strings give confident nonsense; below this many letters we say nothing.
_MIN_LETTERS = 12


@cache
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, confidence 0..1), or (None, None) when the text is too short to tell."""
    sample = text[:20000]
    if sum(c.isalpha() for c in sample[:2000]) < _MIN_LETTERS:
        return None, None
    lang, prob = _identifier().classify(sample)
    return lang, round(float(prob), 4)
