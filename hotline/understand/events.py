"""What a resident's words mean: a text, keypress or speech result -> an engine event, in
the resident's language. Shared by the SMS and voice channels; pure (the words live only
in this call).

In order: keys and numbers, navigation words, spoken numbers, greeting words, an option's
label, then free words: which language they are in (language.py) and which nodes they
are about (search.py). Free words lead to the one node that clearly fits, or to a short
list of the two or three that may; when nothing fits well the resident is asked again:
never a wrong page stated with confidence.
"""
from __future__ import annotations

from hotline.content import Content
from hotline.engine import (
    BACK,
    HELP,
    HOME,
    REPEAT,
    Choose,
    Event,
    Goto,
    Navigate,
    Offer,
    Session,
    SetLanguage,
    Start,
    Unknown,
    path_to,
)
from hotline.flow.model import PLACEHOLDER
from hotline.languages.locales import SOURCE
from hotline.languages.words import DENSE_FROM, dense, normalize
from hotline.understand.embedding import similarity
from hotline.understand.hanzi import simplified
from hotline.understand.keywords import greeting_language, language_named
from hotline.understand.language import SURE, identify
from hotline.understand.numbers import number_in
from hotline.understand.safety import BOTH_NUMBERS, CRISIS, CRISIS_SURE, RIVAL, URGENT, urgent_named
from hotline.understand.search import Hit
from hotline.understand.translit import READ_BACK
from hotline.understand.vocabulary import lexicon

SYMBOLS = {"0": HOME, "#": BACK, "*": REPEAT}
MAX_CHARS = 800      # five SMS of words: long voice-to-text is read in stretches (rank)
DIRECT = 0.12        # a node's share of what the text could score, to go there directly
LISTED = 0.1         # ... to be offered in a short list
CLOSE = 0.8          # runners-up within this share of the best are offered with it
MAX_OFFER = 3
WEAK_PAIR = 0.9      # a weak best alone: offered with a runner-up scoring this share of LISTED, if any
WINDOW = 10          # words in a stretch of a long text
STRETCH = 0.8        # a stretch's score counts this much: the whole text says more
LOW_CONFIDENCE = 0.4  # Twilio's speech Confidence under this: ask again rather than act
MEANING = 0.05       # where BM25 is not decisive: the model's z-scored nearness counts this much of a share
NEAR = 0.7           # ... and runners-up within this share of the best are listed with it, unless
AGREED = 0.9         # BM25's best is the model's too and the runner-up is under this share of it (not urgent)
MEANING_WORDS, MEANING_CHARS = 40, 300  # of a text the model reads: its CPU grows with the text (1 ms a word;
                     # the fresh set's longest is 40 words), and voice-to-text runs to 800 characters


def confident(value: str | None) -> bool:
    """A speech result sure enough to act on. Twilio leaves Confidence out (or 0) for some
    speech models: no figure is no doubt."""
    try:
        figure = float(value or 0)
    except ValueError:
        return True
    return figure == 0 or figure >= LOW_CONFIDENCE


def understand(content: Content, session: Session | None, text: str,
               languages: tuple[str, ...] | None = None, spoken: bool = False) -> Event:
    """Map raw input to an event. `languages` are the choices on screen when the resident is
    choosing a language (default: every offered language, numbered from 1). `spoken`: a
    speech result, where a label or navigation word comes wrapped in other words
    ("go back", "the main menu please")."""
    text = simplified(text[:MAX_CHARS])  # Traditional Chinese keywords too: 語言, 選單, 幫助
    word = normalize(text)
    if session is None:
        return first_text(content, text)
    if not word:
        return Unknown(silence=not text.strip())
    if session.choosing_language:
        return _language_choice(content, text, languages or content.offered)
    if word in SYMBOLS:
        return Navigate(SYMBOLS[word])
    lang = session.lang or SOURCE
    if word.isdecimal():  # not isdigit(): ፩ or ² are digits int() cannot read
        return Choose(int(word)) if len(word) <= 2 else number_named(content, lang, word) or Unknown()
    texts = content.texts_for(lang)
    if word in texts.navigation:
        return Navigate(texts.navigation[word])
    number = number_in(word, (lang, SOURCE))
    if number:
        return Choose(number)
    greeted = greeting_language(content, word, lang)
    if greeted:
        return Start(*greeted)
    node = content.flow.nodes.get(session.node)
    options = session.offer or (node.options if node else ())
    number = option_named(content, session.lang, options, word, spoken)
    if number:
        return Choose(number)
    if spoken:
        actions = {texts.navigation[w] for w in word.split() if w in texts.navigation}
        if len(actions) == 1:
            return Navigate(actions.pop())
    else:  # by SMS a text in another language switches: a wrong first guess costs one text
        guess = identify(content, text)
        if guess.lang and guess.lang != lang and guess.lead >= SURE:
            return first_text(content, text, guess.lang)
    event = found(content, lang, text, guessed=False)
    return Unknown() if event is None or event == Goto(session.node, lang) else event  # no further: not understood


def first_text(content: Content, text: str, lang: str | None = None) -> Event:
    """A first text: a greeting or help word picks its language; any other words pick the
    language they are in and, when they ask something, the page that answers it. A text
    that says nothing about its language gets the language choice."""
    greeted = greeting_language(content, normalize(text))
    if greeted:
        return Start(*greeted)
    lang = lang or identify(content, text).lang
    if lang is None:  # "911" says nothing of a language but names a page: in English, with the hint
        return number_named(content, SOURCE, normalize(text), guessed=True) or (
            Start(content.offered[0]) if len(content.offered) == 1 else Start())
    return found(content, lang, text, guessed=True) or Start(lang, guessed=True)


def number_named(content: Content, lang: str, word: str, guessed: bool = False) -> Goto | None:
    """The node a number longer than an option names as a whole `also:` phrase ("911"): an
    urgent number is never "not understood"."""
    if not word.isdecimal():
        return None
    nodes = lexicon(content).named(lang, word)
    return Goto(BOTH_NUMBERS if CRISIS in nodes else next(iter(nodes)), lang, guessed) if len(nodes) == 1 else None


def found(content: Content, lang: str, text: str, guessed: bool) -> Goto | Offer | None:
    """The node the words are about, or a short list when two or three may be; None when
    none fits well enough to say so. `guessed`: the language was told from these words.
    Urgent situations first (safety.py): never a wrong page stated in their place."""
    words = asked(content, lang, text)
    hits = rank(content, lang, words)
    named = urgent_named(content, lang, text)
    if named == [CRISIS]:  # both numbers, at once (with another urgent node: a list, below)
        return Goto(BOTH_NUMBERS, lang, guessed)
    named = list(dict.fromkeys(BOTH_NUMBERS if n == CRISIS else n for n in named))  # crisis and 911: that page once
    if named:
        return _urgent(content, lang, guessed, named, hits)
    if not hits or _decisive(content, hits) or _one_word(content, lang, words) or hits[0].node == content.flow.start:
        return _by_words(content, lang, text, guessed, hits)
    near = _nearness(content, lang, text)
    if near is None:  # the model is off, or this content's vectors are not there yet
        return _by_words(content, lang, text, guessed, hits)
    return _by_meaning(content, lang, guessed, hits, near)


def _nearness(content: Content, lang: str, text: str) -> dict[str, float] | None:
    """The model's nearness of every page to the text (its first MEANING_WORDS words), or
    None when the model is off, busy or without this language's vectors."""
    return similarity(content, lang, " ".join(text.split()[:MEANING_WORDS])[:MEANING_CHARS])


def _nearest(content: Content, lang: str, text: str) -> str | None:
    """The page the model finds nearest to the text, if the model answers."""
    near = _nearness(content, lang, text)
    return max(near, key=near.__getitem__) if near else None


def _decisive(content: Content, hits: list[Hit]) -> bool:
    """BM25 alone is sure: a page fits well and nothing else comes close."""
    if not hits or hits[0].score < DIRECT or hits[0].node == content.flow.start:
        return False
    above = set(path_to(content.flow, hits[0].node))
    return not any(h.score >= hits[0].score * CLOSE for h in hits[1:MAX_OFFER + 1] if h.node not in above)


def _one_word(content: Content, lang: str, words: list[str]) -> bool:
    """At most one telling word (function words aside), and not a Chinese or Korean
    sentence (one "word" there): a word names a page only as a whole title or `also:` phrase."""
    weak = lexicon(content).function_words(lang)
    telling = [w for w in words if w not in weak]
    return len(telling) <= 1 and not (telling and _unspaced(telling[0]))


def _by_meaning(content: Content, lang: str, guessed: bool, hits: list[Hit],
                near: dict[str, float]) -> Goto | Offer | None:
    """BM25's share and the model's nearness together (MEANING weighs the z-score): the best
    page, with the runners-up that come within NEAR of it as a short list; said directly
    when BM25 and the model agree on it and nothing comes within AGREED. An urgent page is
    never stated by that agreement: here, only when nothing comes within NEAR of it."""
    share = {h.node: h.score for h in hits}
    scored = sorted(((share.get(n, 0.0) + MEANING * z, n) for n, z in near.items()), reverse=True)
    top, best = scored[0]
    if best == content.flow.start:  # nearest to the main menu: a greeting, or a topic without a page
        return None
    above = set(path_to(content.flow, best))
    close = [n for s, n in scored[:MAX_OFFER + 1] if n not in above and s >= top * NEAR][:MAX_OFFER]
    agreed = (hits[0].node == best == max(near, key=near.__getitem__) and hits[0].score >= LISTED and best not in URGENT
              and not any(n in URGENT for n in close[1:]) and scored[1][0] < top * AGREED) if hits else False
    if len(close) > 1 and not agreed:
        return _listed(content, close, lang, guessed)
    if best == CRISIS:
        return Offer((BOTH_NUMBERS, CRISIS), lang, guessed)
    rival = next((n for s, n in scored[1:MAX_OFFER + 1] if n in URGENT and n not in above
                  and best not in URGENT and s >= top * RIVAL), None)
    return _listed(content, [best, rival], lang, guessed) if rival else Goto(best, lang, guessed)


def _by_words(content: Content, lang: str, text: str, guessed: bool, hits: list[Hit]) -> Goto | Offer | None:
    """BM25's answer: the best page when it fits well, else a short list, else None."""
    if not hits or hits[0].score < LISTED:
        return None
    best = hits[0].node
    if best == content.flow.start:  # words that only greet or ask for help: no page for them
        return None
    # The menus above the best node say the same in fewer words: they are no rival to it.
    above = set(path_to(content.flow, best))
    close = [h.node for h in hits[:MAX_OFFER + 1] if h.node not in above
             and h.score >= max(LISTED, hits[0].score * CLOSE)][:MAX_OFFER]
    if len(close) == 1:  # one node fits: go there when it fits well, else ask again
        if hits[0].score < DIRECT:
            runner = next((h.node for h in hits[1:] if h.node not in above and h.node != content.flow.start
                           and h.score >= LISTED * WEAK_PAIR), None)
            return Offer((best, runner), lang, guessed) if runner else None
        if best == CRISIS:  # by its words alone, not its phrases: sure, or a list of both pages
            return Goto(BOTH_NUMBERS, lang, guessed) if hits[0].score >= CRISIS_SURE else Offer(
                (BOTH_NUMBERS, CRISIS), lang, guessed)
        rival = next((h.node for h in hits[1:MAX_OFFER + 1] if h.node in URGENT and h.node not in above
                      and best not in URGENT and h.score >= max(LISTED, hits[0].score * RIVAL)), None)
        if rival:  # in doubt between a page and an urgent one: both
            return _listed(content, [best, rival], lang, guessed)
        # About something else, unless the model finds that page nearest too ("maiu sud z imihratsii, de tse"):
        if best not in URGENT and _mostly_unknown(content, lang, text) and _nearest(content, lang, text) != best:
            runner = next((h.node for h in hits[1:] if h.node not in above and h.node != content.flow.start
                           and h.score >= LISTED * WEAK_PAIR), None)
            return Offer((best, runner), lang, guessed) if runner else None
        return Goto(best, lang, guessed)
    return Offer(tuple(close), lang, guessed)  # BM25 in doubt, without the model: the whole list


def _listed(content: Content, nodes: list[str], lang: str, guessed: bool) -> Goto | Offer:
    """A short list of `nodes`, or the one page among them whose first paragraph already
    gives the number of every other (transfers to a service: "ICE took my husband" lists
    "A family member was detained", which says "call the ICIRR hotline at ...", and the
    ICIRR hotline): a list of one answer twice is that page. Where an urgent phrase, BM25
    sure of a page, or BM25 and the model made the list; BM25 alone in doubt (the model off
    or busy) keeps its whole list: stating the page there stated a wrong urgent page. The
    crisis page keeps its list (the emergency page gives 988 too, but found weakly both are
    listed: safety.py)."""
    flow = content.flow
    if CRISIS not in nodes:
        for page in nodes:
            given = set(PLACEHOLDER.findall(next(iter(flow.nodes[page].paragraphs()), "")))
            if not flow.nodes[page].service and all(flow.nodes[n].service in given for n in nodes if n != page):
                return Goto(page, lang, guessed)
    return Offer(tuple(nodes), lang, guessed)


def _mostly_unknown(content: Content, lang: str, text: str) -> bool:
    """More of the text's telling words (three letters or more, no function word) are
    words no page uses in this language than words one does: "como saco mi pasaporte
    mexicano" is about a passport, which no page is about (only the main menu's phrases name
    it), whatever "mexicano" matches. Not for Chinese and Korean, whose sentences are one "word"."""
    words_of = lexicon(content)
    index, weak = words_of.index(lang), words_of.function_words(lang)
    telling = [w for w in normalize(simplified(text)).split() if w not in weak and len(w) >= 3
               and not dense(w) and not w.isdecimal()]
    unknown = [w for w in telling if not index.found_beyond(w, content.flow.start)]
    return len(unknown) > len(telling) - len(unknown)


def _urgent(content: Content, lang: str, guessed: bool, named: list[str], hits: list[Hit]) -> Goto | Offer:
    """The urgent nodes the text names, and the pages that fit it as well as they do."""
    flow = content.flow
    named = [n for n in named if not any(n in path_to(flow, other) for other in named)]  # a page, not its menu
    score = {h.node: h.score for h in hits}
    top = max((score.get(n, 0.0) for n in named), default=0.0)
    others = [h.node for h in hits[:MAX_OFFER] if h.node not in named and h.node != flow.start
              and h.score >= max(DIRECT, top) and not any(h.node in path_to(flow, n) for n in named)]
    listed = (named + others)[:MAX_OFFER]
    return Goto(listed[0], lang, guessed) if len(listed) == 1 else _listed(content, listed, lang, guessed)


def asked(content: Content, lang: str, text: str) -> list[str]:
    """The text's words without the greeting and help words around them ("hola, necesito
    un abogado"); a Latin word the line never uses, in a language written in Cyrillic, read
    back in it ("potriben advokat")."""
    words_of = lexicon(content)
    keywords = set(content.texts_for(lang).navigation) | words_of.greetings(lang)
    words = [w for w in normalize(simplified(text)).split() if w not in keywords]
    read_back = READ_BACK.get(lang)
    if read_back and words:
        index, weak = words_of.index(lang), words_of.function_words(lang)
        words = [word if word in index.postings or word in weak else read_back(word) or word for word in words]
    return words


def rank(content: Content, lang: str, words: list[str]) -> list[Hit]:
    """Every node the words (`asked`) fit, best first. One word alone leads only where it
    is a whole title or `also:` phrase ("abogado", "migra"): an everyday word ("hindi",
    "yes") is no question. A long text is read in overlapping stretches too, and each node
    keeps its best: what it asks is in a sentence or two of it, the rest would only dilute."""
    if not words:
        return []
    words_of = lexicon(content)
    index, weak = words_of.index(lang), words_of.function_words(lang)
    hits = index.search(" ".join(words), weak)
    if len(words) > WINDOW:
        best = {h.node: h.score for h in hits}
        for start in range(0, len(words) - WINDOW // 2, WINDOW // 2):
            for h in index.search(" ".join(words[start:start + WINDOW]), weak):
                best[h.node] = max(best.get(h.node, 0.0), h.score * STRETCH)
        hits = [Hit(n, s) for n, s in sorted(best.items(), key=lambda ns: -ns[1])]
    if _one_word(content, lang, words):  # the nodes that word is a whole phrase of, if any
        named = words_of.named(lang, next((w for w in words if w not in weak), ""))
        hits = [h for h in hits if h.node in named]
    return hits


def _language_choice(content: Content, text: str, languages: tuple[str, ...]) -> Event:
    word = normalize(text)
    if word.isdecimal():
        return SetLanguage(languages[int(word) - 1]) if 1 <= int(word) <= len(languages) else (
            number_named(content, SOURCE, word, guessed=True) or Unknown())
    number = number_in(word, content.offered)
    if number and number <= len(languages):
        return SetLanguage(languages[number - 1])
    named = language_named(content, text, content.offered)
    if named:
        return SetLanguage(named)
    english = content.texts_for(None).navigation
    if english.get(word) == HELP:
        return Navigate(HELP)
    event = first_text(content, text)
    return Unknown() if isinstance(event, Start) and event.lang is None else event


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


def _unspaced(word: str) -> bool:
    """A whole sentence in one "word": Chinese or Japanese, or Korean written without
    spaces (five syllables or more: "이민국이문앞에와있어요")."""
    return any(ch >= DENSE_FROM and not _hangul(ch) for ch in word) or (len(word) >= 5 and all(map(_hangul, word)))


def _hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def _telling(word: str) -> bool:
    """Long enough to name an option by itself: four letters, or two ideographs or syllables
    in scripts that pack a word into fewer characters (Chinese, Korean, Japanese)."""
    return len(word) >= 4 or (len(word) >= 2 and all(ch >= DENSE_FROM for ch in word))
