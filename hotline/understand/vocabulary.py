"""The line's own words in each language, gathered once per content: the evidence that
tells which language a text is in, what counts as an everyday word of a language, and the
search index over what the line says.

Built from the flows and catalogs (titles, texts, keywords, `also:` phrases) and numbers,
kept while the content is in use (a weak reference: a reload drops it with the old content).
"""
from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import cast

from hotline.content import Content
from hotline.flow.model import MENU, PLACEHOLDER, Node
from hotline.languages import phrases
from hotline.languages.locales import SOURCE
from hotline.languages.texts import Texts
from hotline.languages.words import dense, normalize
from hotline.understand import kept, numbers
from hotline.understand.hanzi import simplified
from hotline.understand.search import Index

# Everyday words the catalogs may not hold but residents write all the time, where they
# collide with another language's keyword (see keywords.py). Normalized, space-separated.
# And the words of languages written in Latin letters (Hinglish, Arabizi, Ukrainian and
# Russian): the catalogs hold their scripts only.
EVERYDAY: dict[str, str] = {
    "tl": "basta pare hindi oo opo po sige talaga kasi naman lang wala meron alam salamat para",
    "hi": "hai hain nahi nahin kya kaise kahan kaha mera meri mere mujhe hum ko ne se ke ki ka aur bhi ghar "
          "madad chahiye karu karein kar raha rahi gaya gayi liya wale wala walo bahut abhi pata kuch ji",
    "ar": "el al ana enta inta 3and 3end 3ala 3al fi ma bidi badi wein wen kif keef shu sho leh mesh la2 "
          "w ya 3am kteer hayda hal",
    "uk": "ya ne ty vin vona my de shcho yak chy ni tak mene meni moho moya miy khochu hochu treba "
          "gde muzh pomogite nuzhen",
}
# Words that ask but say nothing of what about ("how", "I want", "can I", "where"), per
# language (and in Latin letters for Hindi, Arabic and Ukrainian), normalized: left out of the search, so they never decide a page ("어떻게",
# "quero", "怎么" each stood in one node's phrases only). In Chinese and Korean, the
# character pairs they make.
FUNCTION: dict[str, str] = {
    "en": "you can how what where when who do does is are am want need please the a an to of for "
          "in on at it this that with have has get",
    "es": "yo me mi mis tu como que donde cuando quien puedo puede quiero necesito por favor el la los las "
          "un una de del en con es son para hay tengo",
    "pt": "eu me meu minha voce vc como que onde quando quem posso pode quero preciso por favor o a os as "
          "um uma de do da em no na com e sao pra para tem tenho",
    "fr": "je j me moi mon ma mes tu vous comment que quoi ou quand qui peux peut veux besoin svp le la les "
          "un une de du des en au aux avec est sont pour il y a ai",
    "ht": "mwen m ou li yo kijan kisa ki kote kilè kile ki moun mwen vle bezwen tanpri la a yon nan pou ak se "
          "gen eske èske",
    "pl": "ja mi mnie moj moja moje ty jak co gdzie kiedy kto moge moze chce potrzebuje prosze w na z do o "
          "jest sa czy",
    "tl": "ako ko ka mo siya paano ano saan kailan sino pwede gusto kailangan po ng ang sa mga na ay ba",
    "uk": "я мені мене мій моя ти ви як що де коли хто можу може хочу треба потрібно будь ласка в у на з до "
          "і чи це как что где когда кто могу может хочу нужно пожалуйста ya de yak shcho chy i u v na z "
          "mene meni tse ale",
    "ar": "انا انت كيف شو ماذا وين اين متى مين من ممكن بدي اريد عايز محتاج احتاج لو سمحت في على من الى هل "
          "el al ll lal bel 3and 3end 3andi 3ala 3al fi ma w ya kif keef wen wein shu sho bidi badi ana enta "
          "inta hal bas lazem",
    "hi": "मैं मुझे मेरा मेरी मेरे आप कैसे क्या कहाँ कहां कब कौन सकता सकती चाहिए चाहता चाहती कृपया में पर से को का की के है हैं "
          "hai hain nahi nahin kya kaise kahan kaha mera meri mere mujhe ko ne se ke ki ka aur bhi ji kar karu "
          "karein agar to pe me",
    "zh-Hans": "我的 你的 怎么 怎樣 怎样 什么 什麼 哪里 哪裡 可以 需要 请问 請問 一下 我想 想要 要怎 么办 麼辦",
    "ko": "어떻 떻게 해요 어요 하나 나요 싶어 있어 있나 세요 주세 려주 습니 니다 는데 할까 까요 뭐예 어디 디서",
}
MENU_WEIGHT = 0.3  # a menu's words count this much: its pages say the same more precisely
STRONG = 5  # letters of a single word that names an urgent node by itself ("auxilio", not "hurt")
FUZZY_MIN = 4  # words at least this long also match with one letter more, less or wrong
# In Ukrainian the apostrophe is inside a word (б'є, м'ясо) and is often left out: drop it.
_APOSTROPHE = re.compile(r"(?<=[\u0400-\u04ff])['’ʼ](?=[\u0400-\u04ff])")


def tokens(text: str) -> list[str]:
    """Words, and for scripts written without spaces (Chinese, Japanese) or that pack a word
    with its particles (Korean), also each pair of characters: "免费律师" holds "律师"."""
    said = normalize(simplified(_APOSTROPHE.sub("", PLACEHOLDER.sub(" ", text))))
    # numbers are options and phone numbers, in every language
    words = [word for word in said.split() if not word.isdecimal()]
    if not dense(said):
        return words
    out: list[str] = []
    for word in words:
        out.append(word)
        if len(word) > 2 and dense(word):
            out.extend(word[i:i + 2] for i in range(len(word) - 1))
    return out


@lru_cache(maxsize=64)
def _function_words(tag: str) -> frozenset[str]:
    return frozenset(normalize(FUNCTION.get(tag, "") + " " + FUNCTION["en"]).split())


def deletes(word: str) -> Iterator[str]:
    return (word[:i] + word[i + 1:] for i in range(len(word)))


def node_texts(texts: Texts, node: Node) -> tuple[str, str, str]:
    """(title, text, also) of a node in this language; `also` only as its translator wrote
    it (English phrases are not this language's words)."""
    also = node.also if texts.locale.tag == SOURCE else texts.messages.get((node.id, node.also), "")
    return texts.get(node.id, node.title), texts.get(node.id, node.text), also if node.also else ""


Evidence = tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]
# What `Lexicon.prepare` keeps: each language's index as data, its words, the evidence.
Kept = tuple[dict[str, tuple[list[str], dict[str, bytes], float]],
             dict[str, tuple[frozenset[str], frozenset[str]]], Evidence]


@dataclass
class Lexicon:
    """Per language: its words (for telling languages apart) and its search index."""

    owner: weakref.ref[Content]  # not the content itself: the cache below would keep it alive
    _indexes: dict[str, Index] = field(default_factory=dict)
    _named: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    _urgent: dict[str, tuple[tuple[str, str, bool], ...]] = field(default_factory=dict)
    _greetings: dict[str, frozenset[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _read: dict[str, list[str]] | None = None  # texts already read, while `prepare` runs

    @property
    def content(self) -> Content:
        content = self.owner()
        assert content is not None, "a lexicon outlived its content"
        return content

    def _strings(self, tag: str) -> Iterator[tuple[str, bool]]:
        """(string, is it a key string: a title, keyword, `also:` or name) of a language."""
        texts = self.content.texts_for(tag)
        for node in self.content.flow.nodes.values():
            title, text, also = node_texts(texts, node)
            yield title, True
            yield text, False
            yield also, True
        for phrase in phrases.ALL:
            yield texts.phrase(phrase), phrase.context.startswith("keywords.")
        yield self.content.locales[tag].name, True
        yield " ".join(sorted(numbers.words_for(tag))), True  # a set: in one order, for `kept`

    def prepare(self, instance: Path | None = None) -> None:
        """Everything at once (a preloading master, before it forks): each of the content's
        texts is read once, for its language's words and its search index alike (a page's
        English title serves every language), which halves the work. With `instance`, what
        is built is kept there for the next start on the same content (`kept`)."""
        name = kept.key(self._inputs()) if instance is not None else ""
        if instance is not None and self._restore(kept.read(instance, name)):
            return
        self._read = {}
        try:
            for tag in self.content.offered:
                self.index(tag)
            self.evidence  # noqa: B018 - a cached property: built now
        finally:
            self._read = None
        if instance is not None:
            indexes = {tag: (index.nodes, index.postings, index.rarest) for tag, index in self._indexes.items()}
            kept.write(instance, name, (indexes, self._words, self.evidence))

    def _inputs(self) -> list[object]:
        """What `prepare` builds from: each language's strings and index fields."""
        offered = self.content.offered
        return [offered, *((tag, list(self._strings(tag)), self._docs(tag) if tag in offered else None)
                           for tag in self.content.locales)]

    def _restore(self, state: object) -> bool:
        """Take what `prepare` kept; False if `state` is not that."""
        if not (isinstance(state, tuple) and len(state) == 3):
            return False
        indexes, words, evidence = cast(Kept, state)
        try:
            self._indexes = {tag: Index(nodes, postings, rarest, tokens)
                             for tag, (nodes, postings, rarest) in indexes.items()}
        except (TypeError, ValueError):
            return False
        self.__dict__.update(_words=words, evidence=evidence)  # the cached properties, as built
        return True

    def _tokens(self, text: str) -> list[str]:
        """`tokens` of one of the content's own texts; read once while `prepare` runs."""
        read = self._read
        if read is None:
            return tokens(text)
        found = read.get(text)
        if found is None:
            found = read[text] = tokens(text)
        return found

    @cached_property
    def _words(self) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        out = {}
        for tag in self.content.locales:
            every: set[str] = set(EVERYDAY.get(tag, "").split())
            key: set[str] = set()
            for text, is_key in self._strings(tag):
                found = self._tokens(text)
                every.update(found)
                if is_key:
                    key.update(found)
            out[tag] = (frozenset(every), frozenset(key))
        return out

    def everyday(self, tag: str) -> frozenset[str]:
        """Words of this language as the line writes it, and everyday words residents use."""
        return self._words[tag][0] if tag in self._words else frozenset()

    def function_words(self, tag: str) -> frozenset[str]:
        """FUNCTION's words of this language and English (residents mix in "how", "can")."""
        return _function_words(tag)

    def greetings(self, tag: str) -> frozenset[str]:
        """The single words of a language's (and English) greeting, menu and help keywords:
        what a question is wrapped in, not what it asks. Made once per language."""
        found = self._greetings.get(tag)
        if found is None:
            texts = self.content.texts_for(tag)
            found = self._greetings[tag] = frozenset(
                w for p in (phrases.KEY_START, phrases.KEY_HOME, phrases.KEY_HELP)
                for listing in (p.text, texts.phrase(p)) for w in normalize(listing.replace(",", " ")).split())
        return found

    @cached_property
    def evidence(self) -> Evidence:
        """word -> the offered languages that have it (a word k languages share weighs 1/k
        for each); and the same for one-letter slips of their key words."""
        exact: dict[str, tuple[str, ...]] = {}
        slips: dict[str, tuple[str, ...]] = {}
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple per set of languages: less memory

        def add(table: dict[str, tuple[str, ...]], word: str, tag: str) -> None:
            have = table.get(word, ())
            if tag not in have:
                both = have + (tag,)
                table[word] = shared.setdefault(both, both)

        for tag in self.content.offered:
            every, key = self._words[tag]
            for word in every:
                add(exact, word, tag)
            for word in key:
                if len(word) >= FUZZY_MIN:
                    for slip in deletes(word):
                        add(slips, slip, tag)
        return exact, slips

    def named(self, tag: str, word: str) -> frozenset[str]:
        """The nodes one of whose titles or `also:` phrases (here or in English) is `word`."""
        return self._phrases(tag).get(word, frozenset())

    def _phrases(self, tag: str) -> dict[str, frozenset[str]]:
        with self._lock:
            if tag not in self._named:
                texts, found = self.content.texts_for(tag), dict[str, set[str]]()
                for node in self.content.flow.nodes.values():
                    title, _, also = node_texts(texts, node)
                    for phrase in (title, *also.split(","), node.title, *node.also.split(",")):
                        found.setdefault(normalize(phrase), set()).add(node.id)
                self._named[tag] = {p: frozenset(n) for p, n in found.items() if p}
            return self._named[tag]

    def phrases_of(self, tag: str, nodes: frozenset[str]) -> tuple[tuple[str, str, bool], ...]:
        """(phrase, node, dense) for these nodes' titles and `also:` phrases, here and in
        English, long enough to tell on their own (the urgent nodes: safety.py): a phrase of
        two words or more, one word of STRONG letters or more, or two ideographs or
        syllables. Ready to be found in a text: a dense phrase without its spaces (to find
        in the text without its spaces), any other between spaces (whole words). Longest
        first; made once per language (`nodes` is always the same set)."""
        with self._lock:
            if tag not in self._urgent:
                texts, out = self.content.texts_for(tag), set[tuple[str, str]]()
                for node in nodes & set(self.content.flow.nodes):
                    title, _, also = node_texts(texts, self.content.flow.nodes[node])
                    english = self.content.flow.nodes[node]
                    for phrase in map(normalize, (title, *also.split(","), english.title, *english.also.split(","))):
                        if " " in phrase or len(phrase) >= (2 if dense(phrase) else STRONG):
                            out.add((phrase, node))
                self._urgent[tag] = tuple(
                    (phrase.replace(" ", ""), node, True) if dense(phrase) else (f" {phrase} ", node, False)
                    for phrase, node in sorted(out, key=lambda pn: -len(pn[0])))
            return self._urgent[tag]

    def index(self, tag: str) -> Index:
        """The search index of one language, built the first time it is needed."""
        with self._lock:
            if tag not in self._indexes:
                self._indexes[tag] = self._build(tag)
            return self._indexes[tag]

    def _build(self, tag: str) -> Index:
        return Index.build(self._docs(tag), tokens, read=self._tokens)

    def _docs(self, tag: str) -> dict[str, list[tuple[str, float]]]:
        """Each node's fields in this language, weighted for the search index."""
        texts = self.content.texts_for(tag)
        flow = self.content.flow
        docs: dict[str, list[tuple[str, float]]] = {}
        for node in flow.nodes.values():  # the main menu too: where "hello, a question" leads
            title, text, also = node_texts(texts, node)
            fields = [(title, 3.0), (also, 3.0), (text, 1.0)]
            if tag != SOURCE:  # residents mix in English words: "ICE", "landlord", "emergency"
                fields += [(node.title, 1.0), (node.also, 1.0)]
            if node.kind == MENU and node.id != flow.start:  # a topic's menu: when no page of it fits better
                fields = [(text, weight * MENU_WEIGHT) for text, weight in fields]
            if node.service and node.service in flow.services:
                fields.append((flow.service_of(node).name, 1.0))
            docs[node.id] = fields
        return docs


_LEXICONS: weakref.WeakKeyDictionary[Content, Lexicon] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def lexicon(content: Content) -> Lexicon:
    """The lexicon of this content, made once."""
    with _LOCK:
        found = _LEXICONS.get(content)
        if found is None:
            found = _LEXICONS[content] = Lexicon(weakref.ref(content))
        return found

