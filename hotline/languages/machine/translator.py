"""An Argos package loaded for translating: its CTranslate2 model and SentencePiece
tokenizer, translating a whole catalog's sentences in one batched call (about ten times
faster than one string at a time, `python -m hotline.bench.mt`)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hotline.languages.machine.argos import DraftError, checked_metadata, package_label, resolve_package

INSTALL_EXTRA_HINT = "pip install 'hotline[mt]'"
BEAM_SIZE = 4
MAX_BATCH_SIZE = 32  # sentences per batch; CTranslate2 sorts and splits the whole call itself


class MissingDependency(DraftError, ImportError):
    """ctranslate2/sentencepiece are not installed (the optional ``mt`` extra)."""


def require_runtime() -> tuple[Any, Any]:
    """Import the optional translation runtime, or explain how to install it."""
    try:
        import ctranslate2
        import sentencepiece
    except ImportError as exc:
        raise MissingDependency(
            f"Machine drafts need ctranslate2 and sentencepiece (no torch): "
            f"{INSTALL_EXTRA_HINT}  ({exc})"
        ) from exc
    return ctranslate2, sentencepiece


class Drafter:
    """A loaded Argos package: loaded once (the model is the slow part), then translating in
    batches."""

    def __init__(self, package: Path) -> None:
        ctranslate2, sentencepiece = require_runtime()
        self.package = Path(package)
        self.metadata = checked_metadata(self.package)
        self.from_code: str = self.metadata["from_code"]
        self.to_code: str = self.metadata["to_code"]
        self.target_prefix: str = self.metadata.get("target_prefix") or ""
        self._translator = ctranslate2.Translator(str(self.package / "model"))
        self._sp = sentencepiece.SentencePieceProcessor(model_file=str(self.package / "sentencepiece.model"))

    @property
    def label(self) -> str:
        """Package code and version, for the translator comment (e.g. 'translate-en_es 1.9')."""
        return package_label(self.metadata)

    def translate(self, texts: Sequence[str]) -> list[str]:
        """Translate sentences; output i answers input i. Empty inputs give ''."""
        todo = [i for i, t in enumerate(texts) if t.strip()]
        out = [""] * len(texts)
        if not todo:
            return out
        batch = [self._sp.encode(texts[i], out_type=str) for i in todo]
        prefix = [[self.target_prefix] for _ in batch] if self.target_prefix else None
        results = self._translator.translate_batch(
            batch,
            target_prefix=prefix,
            batch_type="examples",
            max_batch_size=MAX_BATCH_SIZE,
            beam_size=BEAM_SIZE,
            replace_unknowns=True,
        )
        for i, result in zip(todo, results, strict=True):
            tokens = list(result.hypotheses[0])
            if self.target_prefix and tokens and tokens[0] == self.target_prefix:
                tokens = tokens[1:]
            text = self._sp.decode(tokens)
            if self.target_prefix and text.startswith(self.target_prefix):
                text = text[len(self.target_prefix):]
            out[i] = text.strip()
        return out


def load_drafter(lang: str) -> Drafter:
    """Find and load the English -> ``lang`` package (reuse it across files)."""
    return Drafter(resolve_package(lang))
