"""Time machine drafting: our batched Drafter vs one string at a time (and argostranslate).

Why: hotline.languages.machine reads Argos packages with ctranslate2 directly instead of importing
argostranslate, partly for speed (one batched call instead of one call per string). This
keeps the claim checkable on any machine with a package installed:

    python -m hotline.bench.mt --lang es -n 300

argostranslate is timed only if it is importable (hotline never installs it: it pulls
torch); it may also fail offline, since its sentence splitter downloads a model on first
use. Such failures are reported, not raised.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path
from typing import Any

from hotline.languages.machine import argos, translator

_WORDS = (
    "call the hotline for help with your case office hours are monday to friday "
    "you have the right to remain silent ask to see a warrant signed by a judge "
    "press one to hear this message again free confidential legal aid is available"
).split()


def sample_texts(n: int) -> list[str]:
    """N short, varied, deterministic English sentences (like hotline messages)."""
    out = []
    for i in range(n):
        k = 5 + i % 9
        words = [_WORDS[(i * 7 + j * 3) % len(_WORDS)] for j in range(k)]
        out.append(" ".join(words).capitalize() + ".")
    return out


def bench(lang: str = "es", n: int = 300, packages: Path | None = None) -> dict[str, Any]:
    """Seconds to translate ``n`` short strings: batched, sequential, and via argostranslate."""
    package = argos.resolve_package(lang, packages)
    texts = sample_texts(n)
    result: dict[str, Any] = {"package": str(package), "n": n}

    t0 = time.perf_counter()
    drafter = translator.Drafter(package)
    result["load_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    drafter.translate(texts)
    result["batched_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    for text in texts:
        drafter.translate([text])
    result["one_at_a_time_s"] = time.perf_counter() - t0

    if importlib.util.find_spec("argostranslate") is None:
        result["argostranslate"] = "not installed"
        return result
    try:
        t0 = time.perf_counter()
        import argostranslate.translate as at  # pulls stanza and torch

        result["argostranslate_import_s"] = time.perf_counter() - t0
        meta = argos.read_metadata(package)
        t0 = time.perf_counter()
        for text in texts:
            at.translate(text, meta["from_code"], meta["to_code"])
        result["argostranslate_s"] = time.perf_counter() - t0
    except Exception as exc:  # offline downloads, missing stanza data, ...
        result["argostranslate"] = f"failed: {type(exc).__name__}: {exc}"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", default="es", help="hotline language tag (default es)")
    parser.add_argument("-n", type=int, default=300, help="number of strings (default 300)")
    parser.add_argument("--packages", type=Path, default=None, help="Argos packages folder")
    args = parser.parse_args(argv)
    try:
        result = bench(args.lang, args.n, args.packages)
    except argos.DraftError as exc:
        print(exc)
        return 1
    for key, value in result.items():
        print(f"{key:>24}: {value:.3f}" if isinstance(value, float) else f"{key:>24}: {value}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
