"""Which words act as keywords, in which language.

A keyword acts in its own language, and on a first text (no language known yet), and in
another language only when it is not an everyday word of the resident's language: BASTA
is a Spanish opt-out word and ordinary Tagalog; HINDI is a Hindi start word and Tagalog
for "no". An opt-out word also waits for the language on a first text when it is an
everyday word of another offered language: "basta" alone may be Tagalog.
Twilio's own English opt-out words always act: Twilio blocks the number whatever the line
does, so the line must forget the conversation too.
"""
from __future__ import annotations

from functools import lru_cache

from babel import Locale as BabelLocale, UnknownLocaleError

from hotline.content import Content
from hotline.languages.locales import SOURCE
from hotline.languages.phrases import KEY_STOP, TWILIO_OPT_OUT
from hotline.languages.words import normalize
from hotline.understand.vocabulary import lexicon

TWILIO_STOP = frozenset(map(normalize, TWILIO_OPT_OUT))  # as a resident's text is compared

# What else residents call a language on the language menu, besides its own name and its
# English name (from CLDR): the spoken language, the other name of a language, no accents.
ALIASES: dict[str, tuple[str, ...]] = {
    "zh-Hans": ("chinese", "mandarin", "putonghua", "zhongwen", "chino", "中文", "普通话", "汉语", "华语", "国语"),
    "ht": ("creole", "haitian", "kreyol", "kreyol ayisyen", "ayisyen", "creole haitien", "criollo"),
    "tl": ("filipino", "pilipino", "tagalog"),
    "ar": ("arabic", "arabi", "عربي", "العربيه"),
    "hi": ("हिंदी", "हिन्दी"),
    "uk": ("ukrainian", "ukrainska", "українська", "українською"),
    "ko": ("korean", "hangugeo", "hangukmal", "한국어", "한국말"),
    "es": ("spanish", "espanol", "castellano", "en espanol"),
    "pt": ("portuguese", "portugues", "brasileiro"),
    "pl": ("polish", "polski", "po polsku"),
    "fr": ("french", "francais", "en francais"),
    "en": ("english", "ingles", "inglés", "anglais", "angielski"),
}


def is_stop(content: Content, text: str, lang: str | None = None) -> bool:
    """The whole message opts out: Twilio's English words always; the words of the
    resident's language `lang`; another language's word unless it is an everyday word of
    theirs ("basta" from a Tagalog speaker). With no language known (a first text), a
    language's word unless it is an everyday word of any other offered language: the
    resident may be speaking that one."""
    word = normalize(text[:160])
    if word in TWILIO_STOP:
        return True
    if lang and word in content.texts_for(lang).own_keywords(KEY_STOP):
        return True
    if word not in content.stop_words:
        return False
    theirs = (lang,) if lang else tuple(t for t in content.offered
                                        if word not in content.texts[t].own_keywords(KEY_STOP))
    return not any(word in lexicon(content).everyday(t) for t in theirs)


def greeting_language(content: Content, word: str, lang: str | None = None) -> tuple[str, bool] | None:
    """(language, asked for help) when `word` is a greeting or help word of an offered
    language, in the registry's order so a word several share goes to the first. With the
    resident's language `lang` known, a word of theirs is read in their language, and
    another language's word that is an everyday word of theirs is no keyword at all."""
    if lang in content.offered:
        own = _greeting(content, lang, word)
        if own or word in lexicon(content).everyday(lang):
            return own
    for tag in content.offered:
        found = _greeting(content, tag, word)
        if found:
            return found
    return None


def _greeting(content: Content, tag: str, word: str) -> tuple[str, bool] | None:
    asks_help = content.texts[tag].greetings.get(word)
    return None if asks_help is None else (tag, asks_help)


@lru_cache(maxsize=256)
def _names(tag: str, own: str) -> frozenset[str]:
    names = {normalize(own), *map(normalize, ALIASES.get(tag, ()))}
    try:
        babel = BabelLocale.parse(tag.replace("-", "_"))
        names |= {normalize(babel.get_display_name(SOURCE) or ""),
                  normalize(BabelLocale(babel.language).get_display_name(SOURCE) or "")}
    except (ValueError, UnknownLocaleError):
        pass
    return frozenset(n for n in names if n)


def language_names(content: Content, tag: str) -> frozenset[str]:
    """What a resident may call a language: its own name, its English name (CLDR), and
    ALIASES; never its bare tag ("hi" is a greeting, not Hindi)."""
    return _names(tag, content.locales[tag].name)


def language_named(content: Content, text: str, languages: tuple[str, ...]) -> str | None:
    """The one language of `languages` the text names ("Spanish", "español", "in Spanish
    please"), or None."""
    said = f" {normalize(text)} "
    named = {t for t in languages for name in language_names(content, t) if f" {name} " in said}
    return named.pop() if len(named) == 1 else None
