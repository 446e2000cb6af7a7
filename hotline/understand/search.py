"""Which nodes a resident's words are about: BM25 over what the line says in their
language (titles, texts, `also:` phrases), on words and on character n-grams.

Words alone miss typos and word forms ("abogados", "avogado", "deportaran"); n-grams
alone let long page texts win on chance letters. Both, added, did best on the labeled
set (README: "Understanding what residents write"). Scores are made comparable across
texts by dividing by what the text could score at most (every word found, in one node
only), so one threshold serves every language and length, and common words weigh little.
"""
from __future__ import annotations

import math
import struct
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hotline.languages.words import dense

K1, B = 1.2, 0.75
_PAIR_FORMAT = "Hf"  # a node's number and a term's share of its score
_PAIR = struct.Struct("<" + _PAIR_FORMAT)
NGRAM = 4            # letters per n-gram, of a word padded with spaces: " abo", "abog", ...
NGRAM_WEIGHT = 0.5   # an n-gram's share of a word's say
GRAMS_FROM = 3.0     # n-grams only from a node's own title and phrases: page texts add chance letters
WEAK = 0.2           # a function word's share of a word ("how", "I want": vocabulary.FUNCTION)


def grams(word: str) -> list[str]:
    """The word's n-grams; a word shorter than NGRAM is left to the words."""
    padded = f" {word} "
    if len(word) < NGRAM or not word.isalpha() or dense(word):
        return []
    return ["#" + padded[i:i + NGRAM] for i in range(len(padded) - NGRAM + 1)]


@dataclass(frozen=True)
class Hit:
    node: str
    score: float   # 0..1: the share of what the text could score that this node got


class Index:
    """BM25 over fields weighted by how telling they are (a title or an `also:` phrase
    more than a page's text). Plain data once built (`build`): the prepared understanding
    is kept as it is between starts (`hotline.understand.kept`)."""

    def __init__(self, nodes: list[str], postings: dict[str, bytes], rarest: float,
                 tokens: Callable[[str], list[str]]) -> None:
        self.nodes = nodes
        self.postings = postings  # term -> packed (node, share) pairs
        self.rarest = rarest      # the idf of a term only one node has
        self.tokens = tokens      # splits a query into terms

    @classmethod
    def build(cls, docs: Mapping[str, Sequence[tuple[str, float]]],
              tokens: Callable[[str], list[str]], read: Callable[[str], list[str]] | None = None) -> Index:
        """`tokens` splits a query into terms; `read`, the docs' texts (the same split,
        perhaps remembered across indexes)."""
        read = read or tokens
        weights: list[dict[str, float]] = []
        for fields in docs.values():
            tf: defaultdict[str, float] = defaultdict(float)
            for text, weight in fields:
                seen: set[str] = set()  # a word said twice in one field is no more telling
                spelled = weight >= GRAMS_FROM
                for word in read(text):
                    if word in seen:  # and so are its n-grams
                        continue
                    seen.add(word)
                    tf[word] += weight
                    for gram in grams(word) if spelled else ():
                        if gram not in seen:
                            seen.add(gram)
                            tf[gram] += weight * NGRAM_WEIGHT
            weights.append(tf)
        lengths = [sum(doc_tf.values()) for doc_tf in weights]
        average = sum(lengths) / max(len(lengths), 1)
        n = len(weights)
        df: Counter[str] = Counter(term for doc_tf in weights for term in doc_tf)
        idf = {term: math.log(1 + (n - count + 0.5) / (count + 0.5)) for term, count in df.items()}
        postings: dict[str, list[float]] = {}  # node, share, node, share...
        for doc, doc_tf in enumerate(weights):
            norm = K1 * (1 - B + B * lengths[doc] / average)
            for term, f in doc_tf.items():
                postings.setdefault(term, []).extend((doc, idf[term] * f * (K1 + 1) / (f + norm)))
        # Packed, (node, share) pairs as bytes: a twelfth of the memory of tuples of floats,
        # which matters with twelve languages in every worker.
        packed = {t: struct.pack("<" + _PAIR_FORMAT * (len(p) // 2), *p) for t, p in postings.items()}
        return cls(list(docs), packed, math.log(1 + (n - 0.5) / 1.5), tokens)

    def found_beyond(self, term: str, node: str) -> bool:
        """Whether a node other than `node` holds the term."""
        return any(self.nodes[doc] != node for doc, _ in _PAIR.iter_unpack(self.postings.get(term, b"")))

    def search(self, text: str, weak: frozenset[str] = frozenset()) -> list[Hit]:
        """Nodes by how well they fit `text`, best first; only those that fit at all.
        `weak`: words (and character pairs) that say little of what is asked: they count
        WEAK of a word, and their n-grams not at all."""
        query: defaultdict[str, float] = defaultdict(float)
        for word in self.tokens(text):
            if word in weak:
                query[word] += WEAK
                continue
            query[word] += 1.0
            for gram in grams(word):
                query[gram] += NGRAM_WEIGHT
        # What the text could score at most: every word found, and telling (in one node
        # only). A text of common words ("hindi", "the") thus scores low everywhere.
        best = sum(w * (K1 + 1) for w in query.values()) * self.rarest
        scores: defaultdict[int, float] = defaultdict(float)
        for term, weight in query.items():
            for doc, part in _PAIR.iter_unpack(self.postings.get(term, b"")):
                scores[doc] += weight * part
        if not best:
            return []
        return [Hit(self.nodes[d], s / best) for d, s in sorted(scores.items(), key=lambda ds: -ds[1])]
