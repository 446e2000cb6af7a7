"""What understanding residents' own words costs a worker: CPU per free-text message over
a text the line reads without searching (a number, a keyword), both answered as the SMS
channel answers them, and the memory the free texts add (the model's pages, the indexes,
the replies they lead to). `hotline bench` runs `main` in a fresh process so the memory
counted is the understanding's alone.

Measured twice, each in its own process: with BM25 and the rules alone (HOTLINE_EMBEDDINGS=off;
the bench's goals: at most 1 ms of added worker CPU per free-text message and 30 MB more
memory per worker), and as the line serves, with the sentence-embedding model where BM25 is
not decisive (issue 20 allows 25 ms per free text, median, and 100 MB): then also the texts
that were embedded, their CPU, and the memory the model adds. The texts are the bench's own
(FREE_TEXTS), never the labeled sets the tests score against.
"""
from __future__ import annotations

import json
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from hotline.config import read as read_settings
from hotline.content import load_content
from hotline.engine import Session
from hotline.understand import embedding

# Residents' own words, as the bench sends them (hotline.bench) and measures them here.
FREE_TEXTS = ("la migra está afuera de mi casa", "where do I find a free lawyer", "我想问一下",
              "Mwen gen yon pwoblèm", "mi esposo me pega", "potrzebuje darmowego prawnika",
              "무료 변호사 어디서 찾을 수 있어요", "ICE ap frape pòt mwen", "my boss didnt pay me",
              "kailangan ko ng abogado", "meu marido foi detido pela imigração", "je n'ai pas d'assurance",
              # every language, romanized and mixed ones, and voice-to-text that rambles
              "पुलिस ने मेरे भाई को पकड़ लिया", "mujhe vakeel chahiye, paise nahi hai", "زوجي محتجز عند الهجرة",
              "wein bla2i m7ami", "мій син у затриманні", "nuzhen advokat srochno", "이민국이 집에 왔어요",
              "변호사비가없어요", "警察問我的身份怎麼辦", "ICE está en mi door", "my landlord wants to evict me",
              "nie mam pieniędzy na lekarza", "kote m ka jwenn manje", "may ICE sa trabaho namin, ano gagawin",
              "j'ai peur de sortir, la police peut me demander mes papiers?",
              "hola buenas tardes mire le escribo porque mi hermano lleva tres días detenido y nadie nos dice "
              "nada de donde está ni si tiene abogado y la familia está muy preocupada no sabemos a quién llamar",
              "hi um so my boss at the warehouse hasnt paid us for two weeks and now he says if we complain he "
              "will call immigration on us and i dont know what to do or who to talk to about it")
PLAIN = ("1", "2", "0", "#", "MORE", "hola", "menu")  # read without language guess or search
ROUNDS = 5


def _rss_mb() -> float:
    """The memory this process holds now (Linux); elsewhere the most it has held."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Counted:
    """The model, counting the texts it embeds (which texts BM25 was not sure of)."""

    def __init__(self, model: embedding.Model) -> None:
        self.model, self.calls = model, 0

    def query(self, texts: str) -> embedding.Matrix:
        self.calls += 1
        return self.model.query(texts)

    def passage(self, texts: list[str]) -> embedding.Matrix:
        return self.model.passage(texts)


def measure(flows: Path, translations: Path) -> dict[str, float]:
    """Texts answered as the SMS channel answers them (understanding and rendering): first
    the plain ones, then the free ones (the bench's own, `FREE_TEXTS`: as first texts and
    again in their language); the memory the free ones add, and their CPU: on average, and
    per text (median); with the model on, the same for the texts it embedded."""
    from hotline.channels import messaging, sms
    from hotline.understand.language import identify
    from hotline.understand.vocabulary import lexicon

    content = load_content(flows, translations)
    settings = sms.SmsSettings()
    langs = [identify(content, text).lang for text in FREE_TEXTS]
    free = [(None, t) for t in FREE_TEXTS] + [(Session(lang=lang), t) for lang, t in zip(langs, FREE_TEXTS, strict=True)]
    plain = [(Session(lang=lang), t) for lang in dict.fromkeys(langs) for t in PLAIN]

    def per_call(calls: Sequence[tuple[Session | None, str]]) -> list[float]:
        """Milliseconds of CPU per call, each the mean of ROUNDS."""
        out = []
        for session, text in calls:
            started = time.process_time()
            for _ in range(ROUNDS):
                messaging.answer(content, session, text, settings)
            out.append((time.process_time() - started) / ROUNDS * 1000)
        return out

    per_call(plain)  # what a worker holds without any free text: its plain replies rendered
    before = _rss_mb()
    started = time.process_time()
    for tag in content.offered:  # what a worker builds once, the first time each language is used
        lexicon(content).index(tag)
    words = len(lexicon(content).evidence[0])
    build_s = time.process_time() - started
    model = embedding.model()
    counted = _Counted(model) if model else None
    if counted:
        with tempfile.TemporaryDirectory() as instance:  # the shipped content's vectors are in the seed
            embedding.compute(content, Path(instance))
        embedding._model = counted  # the bench counts which texts are embedded
    embedded: list[float] = []
    free_ms: list[float] = []
    for call in free:
        calls = counted.calls if counted else 0
        free_ms += per_call([call])
        if counted and counted.calls > calls:
            embedded.append(free_ms[-1])
    plain_ms = statistics.fmean(per_call(plain))
    figures = {"free_text_ms": round(statistics.fmean(free_ms), 3), "plain_text_ms": round(plain_ms, 3),
               "added_cpu_ms_per_free_text": round(statistics.fmean(free_ms) - plain_ms, 3),
               "added_cpu_ms_median": round(statistics.median(free_ms) - plain_ms, 3),
               "added_rss_mb": round(_rss_mb() - before, 1), "build_s": round(build_s, 3),
               "texts": len(free), "words": words}
    if counted:
        figures |= {"embedded_texts": len(embedded),
                    "embedded_added_cpu_ms_median": round(statistics.median(embedded) - plain_ms, 3) if embedded else 0.0}
    return figures


def main() -> None:
    settings = read_settings()
    json.dump(measure(Path(settings["FLOWS"]), Path(settings["TRANSLATIONS"])), sys.stdout)
