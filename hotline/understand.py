"""What a resident's words mean: turns a text, keypress or speech result into an engine
event, in the resident's language. Shared by the SMS and voice channels."""
from __future__ import annotations

from hotline.content import Content
from hotline.engine import (
    BACK, HELP, HOME, REPEAT, Choose, Event, Navigate, Session, SetLanguage, Start, Unknown,
)
from hotline.i18n import normalize
from hotline.phrases import KEY_HELP, KEY_HOME, KEY_START

SYMBOLS = {"0": HOME, "#": BACK, "*": REPEAT}
MAX_CHARS = 160  # nobody types a menu choice longer than this; the rest is ignored


def is_stop(content: Content, text: str) -> bool:
    """The whole message is an opt-out word, in any language the line knows."""
    return normalize(text[:MAX_CHARS]) in content.stop_words


def greeting_language(content: Content, word: str) -> tuple[str, bool] | None:
    """(language, asked for help) when the words are a greeting or help word of an offered
    language, checked in the registry's order so a word shared by several goes to the first."""
    for tag in content.offered:
        texts = content.texts[tag]
        if word in texts.own_keywords(KEY_START) or word in texts.own_keywords(KEY_HOME):
            return tag, False
        if word in texts.own_keywords(KEY_HELP):
            return tag, True
    return None


def language_by_name(content: Content, word: str) -> str | None:
    for tag in content.offered:
        locale = content.locales[tag]
        if word in (normalize(locale.name), normalize(tag)):
            return tag
    return None


def understand(content: Content, session: Session | None, text: str,
               languages: tuple[str, ...] | None = None, spoken: bool = False) -> Event:
    """Map raw input to an event. `languages` are the choices on screen when the resident is
    choosing a language (default: every offered language, numbered from 1). `spoken`: a
    speech result, where a label or navigation word comes wrapped in other words
    ("go back", "the main menu please")."""
    word = normalize(text[:MAX_CHARS])
    if session is None:
        greeted = greeting_language(content, word)
        if greeted:
            return Start(*greeted)
        return Start(content.offered[0]) if len(content.offered) == 1 else Start()
    if not word:
        return Unknown(silence=not text.strip())
    if session.choosing_language:
        return _language_choice(content, word, languages or content.offered)
    if word in SYMBOLS:
        return Navigate(SYMBOLS[word])
    if word.isdecimal():  # not isdigit(): ፩ or ² are digits int() cannot read
        return Choose(int(word)) if len(word) <= 2 else Unknown()
    texts = content.texts_for(session.lang)
    if word in texts.navigation:
        return Navigate(texts.navigation[word])
    greeted = greeting_language(content, word)
    if greeted:
        return Start(*greeted)
    node = content.flow.nodes.get(session.node)
    number = option_named(content, session.lang, node.options if node else (), word, spoken)
    if number:
        return Choose(number)
    if spoken:
        actions = {texts.navigation[w] for w in word.split() if w in texts.navigation}
        if len(actions) == 1:
            return Navigate(actions.pop())
    return Unknown()


def _language_choice(content: Content, word: str, languages: tuple[str, ...]) -> Event:
    if word.isdecimal() and 1 <= int(word) <= len(languages):
        return SetLanguage(languages[int(word) - 1])
    named = language_by_name(content, word)
    if named:
        return SetLanguage(named)
    greeted = greeting_language(content, word)
    if greeted:
        return Start(*greeted)
    if word in content.texts_for(None).navigation and content.texts_for(None).navigation[word] == HELP:
        return Navigate(HELP)
    return Unknown()


def option_named(content: Content, lang: str | None, options: tuple[str, ...], word: str,
                 spoken: bool = False) -> int | None:
    """Which of `options` (node ids) the normalized `word` names by its label, in the
    resident's language or English: the whole label, its start, or words that only one
    label has; `spoken`: also a whole label, or a long word only one label has, said among
    other words."""
    texts = content.texts_for(lang)
    english = content.texts_for(None)
    labels = []
    for option in options:
        title = content.flow.nodes[option].title
        labels.append({normalize(texts.get(option, title)), normalize(english.get(option, title))})
    for i, names in enumerate(labels, 1):
        if word in names:
            return i
    said = set(word.split())
    telling = any(_telling(w) for w in said)  # "si", "a", "the" name nothing on their own
    matches = [i for i, names in enumerate(labels, 1)
               if telling and (any(name.startswith(word) for name in names)
                               or any(said <= set(name.split()) for name in names))
               or (spoken and any(f" {name} " in f" {word} " for name in names))]
    if spoken and not matches:  # speech wraps a label's key word in others: "the door one"
        matches = [i for i, names in enumerate(labels, 1)
                   if any(len(w) >= 4 and w in said for name in names for w in name.split())]
    if len(matches) == 1:
        return matches[0]
    return None


def _telling(word: str) -> bool:
    """Long enough to name an option by itself: four letters, or two ideographs or syllables
    in scripts that pack a word into fewer characters (Chinese, Korean, Japanese)."""
    return len(word) >= 4 or (len(word) >= 2 and all(ord(ch) >= 0x2E80 for ch in word))
