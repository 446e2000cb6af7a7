"""One language's strings as served at run time: the flows' texts, the line's own phrases
and its keywords, each in the resident's language or else in English."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from hotline.engine import Action
from hotline.languages import phrases
from hotline.languages.locales import Locale
from hotline.languages.phrases import Phrase
from hotline.languages.po import Key
from hotline.languages.words import words


@dataclass
class Texts:
    """One language's strings as served (`serve`): anything not in `messages` is English."""

    locale: Locale
    messages: Mapping[Key, str] = field(default_factory=dict)

    def get(self, context: str, text: str) -> str:
        return self.messages.get((context, text)) or text

    def translates(self, context: str, text: str) -> bool:
        """False when residents get this string in English."""
        return (context, text) in self.messages

    def phrase(self, phrase: Phrase, **values: object) -> str:
        out = self.get(phrase.context, phrase.text)
        return out.format(**values) if values else out

    def keywords(self, phrase: Phrase) -> frozenset[str]:
        """The English words and this language's words for a keyword list."""
        return words(phrase.text) | self.own_keywords(phrase)

    def own_keywords(self, phrase: Phrase) -> frozenset[str]:
        """Only this language's words: what tells that a text is in this language."""
        return words(self.get(phrase.context, phrase.text))

    @cached_property
    def greetings(self) -> dict[str, bool]:
        """This language's own greeting and help words -> whether the word asks for help
        (a word of both lists greets), computed once per catalog."""
        table = dict.fromkeys(self.own_keywords(phrases.KEY_HELP), True)
        table.update(dict.fromkeys(self.own_keywords(phrases.KEY_START) | self.own_keywords(phrases.KEY_HOME), False))
        return table

    @cached_property
    def navigation(self) -> dict[str, Action]:
        """word -> navigation action, computed once per catalog."""
        table: dict[str, Action] = {}
        for action, phrase in phrases.NAVIGATION.items():
            for word in self.keywords(phrase):
                table.setdefault(word, action)
        return table
