"""Offline machine drafts of missing translations, from installed Argos Translate packages.

Why this exists: volunteers translate hotline messages into many languages, and an
empty msgstr means callers hear English. A machine draft, clearly marked ``fuzzy`` and
commented as needing review, gives a fluent reviewer something to correct instead of a
blank, while gettext keeps serving English until the draft is reviewed (fuzzy entries are
not compiled).

Design choices:

* We read Argos Translate packages (``.argosmodel`` zips) directly with ``ctranslate2`` and
  ``sentencepiece`` instead of importing ``argostranslate``: that library pulls stanza and
  torch (gigabytes), downloads sentence-splitter models on first use (fails offline), and
  translates one string at a time (about 10x slower than a batched call).
* Packages live where ``argospm`` puts them, so packages installed either way are found.
* Nothing here downloads anything. A missing package is an error telling how to install one.
* Numbers, phone numbers, URLs, e-mail addresses, markup tags and format placeholders are
  masked before translation and restored afterwards; a draft that lost, duplicated or
  changed any of them is rejected, because a wrong phone number is worse than no draft.

``ctranslate2`` and ``sentencepiece`` are imported lazily (the ``mt`` extra), so importing this
module costs nothing for the web app.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from hotline.i18n import DRAFT_COMMENT_PREFIX, DRAFT_COMMENT_REVIEW, is_machine_draft, read_po_file, write_po_file

if TYPE_CHECKING:  # pragma: no cover
    from babel.messages.catalog import Catalog, Message

__all__ = [
    "MTError",
    "MissingDependency",
    "MissingPackage",
    "BadPackage",
    "Drafter",
    "DraftReport",
    "Rejection",
    "packages_dir",
    "install_package",
    "find_package",
    "list_packages",
    "argos_codes",
    "resolve_package",
    "protect",
    "restore",
    "protected_items",
    "draft_catalog",
    "draft_po_file",
    "beside_draft",
    "without_drafts",
    "load_drafter",
    "package_label",
]

INSTALL_EXTRA_HINT = "pip install 'hotline[mt]'"
BESIDE_PREFIX = "machine draft of the new English"


# --------------------------------------------------------------------------- errors


class MTError(Exception):
    """Base class for machine-draft errors (catch this in the CLI)."""


class MissingDependency(MTError, ImportError):
    """ctranslate2/sentencepiece are not installed (the optional ``mt`` extra)."""


class BadPackage(MTError, ValueError):
    """A file or folder is not a usable Argos Translate package."""


class MissingPackage(MTError, LookupError):
    """No installed package translates the requested pair."""

    def __init__(self, from_code: str, to_code: str, where: Path, lang: str | None = None):
        self.from_code = from_code
        self.to_code = to_code
        self.where = where
        self.lang = lang
        asked = f"{from_code}->{to_code}"
        if lang and lang != to_code:
            asked += f" (hotline language {lang!r})"
        super().__init__(
            f"No Argos Translate package for {asked} is installed in {where}. "
            f"Nothing is downloaded automatically: get the package file "
            f"(translate-{from_code}_{to_code}-*.argosmodel) and install it with "
            f"`hotline i18n install-model FILE.argosmodel`, or with "
            f"`argospm install translate-{from_code}_{to_code}` on a machine with network, "
            f"or point ARGOS_PACKAGES_DIR at a folder that holds it."
        )


def _require_mt() -> tuple[Any, Any]:
    """Import the optional translation runtime, or explain how to install it."""
    try:
        import ctranslate2
        import sentencepiece
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise MissingDependency(
            f"Machine drafts need ctranslate2 and sentencepiece (no torch): "
            f"{INSTALL_EXTRA_HINT}  ({exc})"
        ) from exc
    return ctranslate2, sentencepiece


# --------------------------------------------------------------------------- packages


def packages_dir() -> Path:
    """Where Argos packages live: ``$ARGOS_PACKAGES_DIR``, else the argospm default.

    Same rule as argostranslate's settings, so a package installed by ``argospm`` or by
    ``hotline i18n install-model`` is found by both.
    """
    explicit = os.environ.get("ARGOS_PACKAGES_DIR")
    if explicit:
        return Path(explicit).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home).expanduser() / "argos-translate" / "packages"


def _read_metadata(folder: Path) -> dict[str, Any]:
    """Parse and sanity-check ``metadata.json`` of an unpacked package."""
    path = folder / "metadata.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadPackage(f"{folder}: no metadata.json (not an Argos Translate package)") from None
    except (OSError, ValueError) as exc:
        raise BadPackage(f"{path}: unreadable metadata ({exc})") from exc
    if not isinstance(data, dict):
        raise BadPackage(f"{path}: metadata is not a JSON object")
    for key in ("from_code", "to_code"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise BadPackage(f"{path}: metadata lacks {key!r}")
    kind = data.get("type", "translate")
    if kind != "translate":
        raise BadPackage(f"{path}: package type is {kind!r}, not 'translate'")
    return data


def _validate_package_folder(folder: Path) -> dict[str, Any]:
    """Check the files the drafter needs are present; return the metadata."""
    meta = _read_metadata(folder)
    if not (folder / "model" / "model.bin").is_file():
        raise BadPackage(f"{folder}: no model/model.bin (CTranslate2 model missing)")
    if not (folder / "sentencepiece.model").is_file():
        raise BadPackage(
            f"{folder}: no sentencepiece.model; hotline only supports SentencePiece "
            f"packages (other tokenizers need argostranslate itself)"
        )
    return meta


def _safe_members(zf: zipfile.ZipFile, archive: Path) -> str:
    """Return the single top folder of the archive, refusing unsafe member paths."""
    tops: set[str] = set()
    for name in zf.namelist():
        p = PurePosixPath(name.replace("\\", "/"))
        if p.is_absolute() or ".." in p.parts or (p.parts and ":" in p.parts[0]):
            raise BadPackage(f"{archive}: unsafe path in archive: {name!r}")
        if p.parts:
            tops.add(p.parts[0])
        if len(p.parts) == 1 and not name.endswith("/"):
            raise BadPackage(f"{archive}: file {name!r} outside the package folder")
    if len(tops) == 1 and next(iter(tops)).startswith("."):
        raise BadPackage(f"{archive}: hidden top folder {next(iter(tops))!r}")
    if len(tops) != 1:
        raise BadPackage(
            f"{archive}: expected one top folder in the archive, found {sorted(tops) or 'none'}"
        )
    return tops.pop()


def install_package(path: Path, into: Path | None = None) -> Path:
    """Unpack a ``.argosmodel`` into the packages folder and return the installed folder.

    Mirrors ``argostranslate.package.install_from_path`` (unzip the single top folder into
    the packages dir) but validates first and swaps the folder in atomically, so a broken
    archive never replaces a working package.
    """
    path = Path(path)
    target_root = Path(into) if into is not None else packages_dir()
    if not path.is_file():
        raise BadPackage(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise BadPackage(f"{path}: not a zip archive (.argosmodel files are zips)")
    target_root.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path) as zf:
        top = _safe_members(zf, path)
        staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=target_root))
        try:
            zf.extractall(staging)
            unpacked = staging / top
            _validate_package_folder(unpacked)
            final = target_root / top
            if final.exists():
                # Move the old version into the staging folder; it is deleted below.
                os.replace(final, staging / ".previous")
            os.replace(unpacked, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return final


def package_label(metadata: dict[str, Any]) -> str:
    """'<code> <version>' of a package, e.g. 'translate-en_es 1.9', for comments and reports."""
    code = metadata.get("code") or f"translate-{metadata['from_code']}_{metadata['to_code']}"
    version = metadata.get("package_version")
    return f"{code} {version}" if version else str(code)


def _version_key(version: Any) -> tuple:
    parts = re.findall(r"\d+|[A-Za-z]+", str(version or ""))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def list_packages(into: Path | None = None) -> list[tuple[Path, dict[str, Any]]]:
    """Every valid translate package in the packages folder, with its metadata."""
    root = Path(into) if into is not None else packages_dir()
    found: list[tuple[Path, dict[str, Any]]] = []
    if not root.is_dir():
        return found
    for child in sorted(root.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue
        try:
            found.append((child, _read_metadata(child)))
        except BadPackage:
            continue
    return found


def find_package(from_code: str, to_code: str, into: Path | None = None) -> Path:
    """The installed package folder for ``from_code -> to_code`` (newest version wins).

    Never downloads: raises :class:`MissingPackage` with install instructions instead.
    """
    root = Path(into) if into is not None else packages_dir()
    matches = [
        (meta, folder)
        for folder, meta in list_packages(root)
        if meta["from_code"] == from_code and meta["to_code"] == to_code
    ]
    if not matches:
        raise MissingPackage(from_code, to_code, root)
    matches.sort(key=lambda m: _version_key(m[0].get("package_version")))
    return matches[-1][1]


# Hotline language tags -> Argos codes to try, in order. Argos uses "zt" for
# traditional Chinese and "pb" for Brazilian Portuguese.
_ARGOS_CODES: dict[str, tuple[str, ...]] = {
    "zh": ("zh",),
    "zh-hans": ("zh",),
    "zh-cn": ("zh",),
    "zh-hant": ("zt",),
    "zh-tw": ("zt",),
    "zh-hk": ("zt",),
    "pt": ("pt", "pb"),
    "pt-br": ("pb", "pt"),
    "pt-pt": ("pt",),
    "tl": ("tl",),
    "fil": ("tl",),
}


def argos_codes(lang: str) -> tuple[str, ...]:
    """Argos language codes that can serve hotline tag ``lang``, best first."""
    tag = lang.replace("_", "-").strip().lower()
    if tag in _ARGOS_CODES:
        return _ARGOS_CODES[tag]
    primary = tag.split("-", 1)[0]
    return _ARGOS_CODES.get(primary, (primary,))


def resolve_package(lang: str, into: Path | None = None, from_code: str = "en") -> Path:
    """Installed package translating English into hotline language ``lang``."""
    root = Path(into) if into is not None else packages_dir()
    codes = argos_codes(lang)
    for code in codes:
        try:
            return find_package(from_code, code, root)
        except MissingPackage:
            continue
    raise MissingPackage(from_code, codes[0], root, lang=lang)


# --------------------------------------------------------------------------- masking

# Order matters: earlier alternatives win at the same position.
_PROTECTED = re.compile(
    r"""
      \{[^{}\s]*\}                                   # {name} {0} {n:,}  (str.format)
    | %(?:\([^()\s]+\))?[-\#0+]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[sdiuoxXeEfFgGcra%]
                                                     # %(name)s %s %d %%  (printf)
    | <[^<>\s][^<>]*>                                # <b> </b> <break time="1s"/> (markup)
    | (?:https?://|www\.)[^\s<>"]*[^\s<>".,;:!?)\]'] # URLs
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                   # e-mail addresses
    | \b[\w-]+(?:\.[\w-]+)*\.(?:gov|org|com|net|edu|us|info|io)\b(?:/[^\s<>"]*[^\s<>".,;:!?)\]'])?
                                                     # bare domains: uscis.gov, ice.gov/detain
    | \+?(?:\d{1,3}[\s.-]?)?\(\d{1,4}\)[\s.-]?\d+(?:[-.]\d+)*
                                                     # (866) 223-2817, +1 (866) 223-2817
    | \+?\d+(?:[-.,:/]\d+)*                          # 1-855-435-7693 311 898-211 1,000 9:30 3.5
    """,
    re.VERBOSE,
)

# Sentinel: "ZQX" + two capital letters. Plain ASCII letters go through SentencePiece
# and NMT models like an unknown acronym (copied), unlike digits (which models reformat,
# e.g. 1,000 -> 1.000) or punctuation-heavy markers (which they drop or space out).
_SENTINEL_HEAD = "ZQX"
_SENTINEL = re.compile(_SENTINEL_HEAD + r"([A-Z]{2})", re.IGNORECASE)
_MAX_ITEMS = 26 * 26


def protected_items(text: str) -> list[str]:
    """The numbers, phone numbers, placeholders, URLs, etc. in ``text``, in order."""
    return [m.group(0) for m in _PROTECTED.finditer(text)]


def _sentinel(index: int) -> str:
    return _SENTINEL_HEAD + chr(65 + index // 26) + chr(65 + index % 26)


def protect(text: str) -> tuple[str, list[str]]:
    """Replace each protected item by a unique sentinel; return masked text and items.

    Raises ValueError if the text already contains sentinel-like text or has more items
    than sentinels (both absurd for hotline strings, and both would make restore unsafe).
    """
    if _SENTINEL.search(text):
        raise ValueError("text already contains the masking sentinel")
    items: list[str] = []

    def sub(m: re.Match[str]) -> str:
        items.append(m.group(0))
        if len(items) > _MAX_ITEMS:
            raise ValueError("too many numbers/placeholders to mask")
        return _sentinel(len(items) - 1)

    return _PROTECTED.sub(sub, text), items


def restore(translated: str, items: Sequence[str], source: str | None = None) -> str:
    """Put the protected items back and verify nothing was lost, duplicated or invented.

    Every sentinel must appear exactly once. If ``source`` is given, the protected items
    of the result must also equal those of the source as a multiset (catches numbers the
    model invented, e.g. "one" -> "1"). Raises ValueError with a readable reason.
    """
    seen: Counter[int] = Counter()
    invented: list[str] = []

    def sub(m: re.Match[str]) -> str:
        code = m.group(1).upper()
        index = (ord(code[0]) - 65) * 26 + (ord(code[1]) - 65)
        if index >= len(items):
            invented.append(m.group(0))
            return m.group(0)
        seen[index] += 1
        return items[index]

    result = _SENTINEL.sub(sub, translated)
    problems = []
    missing = [items[i] for i in range(len(items)) if seen[i] == 0]
    doubled = [items[i] for i in range(len(items)) if seen[i] > 1]
    if missing:
        problems.append("lost " + ", ".join(repr(x) for x in missing))
    if doubled:
        problems.append("repeated " + ", ".join(repr(x) for x in doubled))
    if invented:
        problems.append("unknown placeholder " + ", ".join(repr(x) for x in invented))
    if not problems and source is not None:
        want, got = Counter(protected_items(source)), Counter(protected_items(result))
        if want != got:
            lost = list((want - got).elements())
            extra = list((got - want).elements())
            if lost:
                problems.append("lost " + ", ".join(repr(x) for x in lost))
            if extra:
                problems.append("added " + ", ".join(repr(x) for x in extra))
    if problems:
        raise ValueError("numbers/placeholders changed: " + "; ".join(problems))
    return result


# --------------------------------------------------------------------------- segmentation

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "sr", "jr", "vs", "etc", "e.g", "i.e", "u.s", "u.s.a",
    "no", "apt", "ave", "blvd", "inc", "a.m", "p.m", "dept", "gov", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed",
    "thu", "fri", "sat", "sun",
}
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])(\s+)(?=\S)")
_HAS_WORDS = re.compile(r"[^\W\d_]", re.UNICODE)


def _split_sentences(line: str) -> list[str]:
    """Split a line into [sentence, separator, sentence, ...] at sentence ends.

    NMT packages are trained on single sentences (argostranslate splits with stanza);
    a cheap regex with an abbreviation guard is enough for short hotline messages.
    """
    parts = _SENTENCE_BREAK.split(line)
    merged: list[str] = [parts[0]]
    for i in range(1, len(parts), 2):
        sep, nxt = parts[i], parts[i + 1]
        last_word = merged[-1].rsplit(None, 1)[-1].rstrip(".!?").lower() if merged[-1].strip() else ""
        if merged[-1].endswith(".") and (last_word in _ABBREVIATIONS or len(last_word) == 1):
            merged[-1] += sep + nxt
        else:
            merged.extend([sep, nxt])
    return merged


def _segments(masked: str) -> list[tuple[bool, str]]:
    """Cut masked text into (translate?, piece) keeping every newline and space."""
    out: list[tuple[bool, str]] = []
    for n, line in enumerate(masked.split("\n")):
        if n:
            out.append((False, "\n"))
        core = line.strip()
        if not core:
            out.append((False, line))
            continue
        lead = line[: len(line) - len(line.lstrip())]
        trail = line[len(line.rstrip()):]
        if lead:
            out.append((False, lead))
        for i, piece in enumerate(_split_sentences(core)):
            is_text = i % 2 == 0 and bool(_HAS_WORDS.search(_SENTINEL.sub("", piece)))
            out.append((is_text, piece))
        if trail:
            out.append((False, trail))
    return out


# --------------------------------------------------------------------------- drafter


class SupportsTranslate(Protocol):
    """What :func:`draft_catalog` needs from a drafter (tests pass fakes)."""

    @property
    def label(self) -> str: ...

    def translate(self, texts: Sequence[str]) -> list[str]: ...


class Drafter:
    """A loaded Argos package: CTranslate2 model + SentencePiece, translating in batches.

    Loads once (the model is the slow part), then translates a whole catalog in one
    ``translate_batch`` call that CTranslate2 sorts and splits into batches itself.
    """

    def __init__(
        self,
        package: Path,
        *,
        beam_size: int = 4,
        max_batch_size: int = 32,
        device: str = "cpu",
        inter_threads: int = 1,
        intra_threads: int = 0,
    ) -> None:
        ctranslate2, sentencepiece = _require_mt()
        self.package = Path(package)
        self.metadata = _validate_package_folder(self.package)
        self.from_code: str = self.metadata["from_code"]
        self.to_code: str = self.metadata["to_code"]
        self.target_prefix: str = self.metadata.get("target_prefix") or ""
        self.beam_size = beam_size
        self.max_batch_size = max_batch_size
        self._translator = ctranslate2.Translator(
            str(self.package / "model"),
            device=device,
            inter_threads=inter_threads,
            intra_threads=intra_threads,
        )
        self._sp = sentencepiece.SentencePieceProcessor(
            model_file=str(self.package / "sentencepiece.model")
        )

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
            max_batch_size=self.max_batch_size,
            beam_size=self.beam_size,
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


# --------------------------------------------------------------------------- catalogs


@dataclass
class Rejection:
    """An entry left untranslated, and why."""

    msgid: str
    reason: str


@dataclass
class DraftReport:
    """What :func:`draft_catalog` did: counts plus the reason for every rejection."""

    from_code: str
    to_code: str
    package: str
    drafted: int = 0
    already_translated: int = 0
    drafted_ids: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def rejected_count(self) -> int:
        return len(self.rejected)

    def summary(self) -> str:
        """One human line plus one line per rejection, for the CLI."""
        lines = [
            f"{self.from_code}->{self.to_code} ({self.package}): drafted {self.drafted}, "
            f"rejected {self.rejected_count}, already translated {self.already_translated}"
        ]
        lines += [f"  rejected {r.msgid!r}: {r.reason}" for r in self.rejected]
        return "\n".join(lines)


def _draft_comment(label: str) -> list[str]:
    """The translator comment, as the two lines babel would wrap it into anyway.

    Babel wraps comments at 76 columns and reads each line back as its own comment, so
    storing it pre-split keeps the in-memory catalog identical to the file.
    """
    return [f"{DRAFT_COMMENT_PREFIX} {label}),", DRAFT_COMMENT_REVIEW]


def _is_untranslated(message: Message) -> bool:
    string = message.string
    if isinstance(string, (tuple, list)):
        return not any(string)
    return not string


def _english(message: Message) -> str:
    """A message's (singular) English: Babel types an id as a string or a tuple of forms."""
    return message.id if isinstance(message.id, str) else message.id[0]


def _sources_for(message: Message, num_plurals: int) -> list[str]:
    """English text to draft each msgstr form from (plural forms from msgid_plural)."""
    if isinstance(message.id, str):
        return [message.id]
    singular, plural = message.id[0], message.id[1]
    if num_plurals <= 1:
        return [plural]  # one form covers every n: the generic plural text fits best
    return [singular] + [plural] * (num_plurals - 1)


def _beside(message: Message) -> bool:
    """A fuzzy entry holding a person's translation of an earlier English: its draft goes
    beside it, in a comment, so the translation the line may still serve (wording_only)
    and the translator's starting point are both kept."""
    return message.fuzzy and not _is_untranslated(message) and not is_machine_draft(message)


def _drafted_beside(message: Message) -> bool:
    """Already has a draft of this very English beside its translation."""
    mark = f"{BESIDE_PREFIX} ({_digest(message)},"
    return any(c.startswith(mark) for c in message.user_comments)


def _digest(message: Message) -> str:
    msgid = _english(message)
    return hashlib.sha256(str(msgid).encode()).hexdigest()[:8]


def _without_beside(comments: list[str]) -> list[str]:
    """The comments without an earlier draft-beside (Babel splits a long comment in lines)."""
    kept, inside = [], False
    for c in comments:
        if c.startswith(BESIDE_PREFIX):
            inside = True
            continue
        if inside and not c.startswith(("|", "Reviewed:", DRAFT_COMMENT_PREFIX)):
            continue
        inside = False
        kept.append(c)
    return kept


def beside_draft(message: Message) -> str:
    """The machine draft of this very English kept beside a person's earlier translation
    ('' when there is none): Babel splits the comment in lines, joined here with spaces."""
    mark = f"{BESIDE_PREFIX} ({_digest(message)},"
    parts: list[str] = []
    for c in message.user_comments:
        if parts and c.startswith(("|", "Reviewed:", DRAFT_COMMENT_PREFIX, BESIDE_PREFIX)):
            break
        if parts or c.startswith(mark):
            parts.append(c)
    return " ".join(parts).partition("): ")[2]


def without_drafts(comments: list[str]) -> list[str]:
    """The comments without any machine-draft note: a person's translation replaced the draft."""
    return [c for c in _without_beside(comments) if not c.startswith(DRAFT_COMMENT_PREFIX) and c != DRAFT_COMMENT_REVIEW]


def _needs_draft(message: Message) -> bool:
    return bool(message.id) and (_is_untranslated(message) or (_beside(message) and not _drafted_beside(message)))


def _untranslated(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if _needs_draft(m)]


def draft_catalog(
    catalog: Catalog, from_code: str, to_code: str, drafter: SupportsTranslate
) -> DraftReport:
    """Fill empty msgstrs with fuzzy, commented machine drafts; reject unsafe drafts. A fuzzy
    entry whose English changed gets its draft in a comment beside the translation it has.

    Skips the header and translated entries. Each English string is masked, split into
    sentences, translated in one batch, restored and checked; an entry with any failing
    form is left untranslated and listed in the report.
    """
    d_from, d_to = getattr(drafter, "from_code", None), getattr(drafter, "to_code", None)
    if (d_from and d_from != from_code) or (d_to and d_to != to_code):
        raise ValueError(f"drafter translates {d_from}->{d_to}, not {from_code}->{to_code}")
    label = getattr(drafter, "label", None) or f"translate-{from_code}_{to_code}"
    report = DraftReport(from_code=from_code, to_code=to_code, package=label)
    num_plurals = catalog.num_plurals

    # Plan: per message, per form, the masked segments; collect unique sentences.
    plans: list[tuple[Message, list[tuple[str, list[str], list[tuple[bool, str]]]]]] = []
    wanted: dict[str, None] = {}
    for message in catalog:
        if not message.id:
            continue
        if not _needs_draft(message):
            report.already_translated += 1
            continue
        msgid = _english(message)
        forms = []
        try:
            for source in _sources_for(message, num_plurals):
                masked, items = protect(source)
                segs = _segments(masked)
                forms.append((source, items, segs))
                for is_text, piece in segs:
                    if is_text:
                        wanted.setdefault(piece)
        except ValueError as exc:
            report.rejected.append(Rejection(msgid, str(exc)))
            continue
        plans.append((message, forms))

    sentences = list(wanted)
    translated = dict(zip(sentences, drafter.translate(sentences), strict=True)) if sentences else {}

    comment = _draft_comment(label)
    for message, forms in plans:
        msgid = _english(message)
        drafts: list[str] = []
        reason = None
        for source, items, segs in forms:
            pieces = []
            for is_text, piece in segs:
                if not is_text:
                    pieces.append(piece)
                    continue
                out = translated.get(piece, "")
                if not out.strip():
                    reason = f"empty translation for {piece!r}"
                    break
                pieces.append(out)
            if reason:
                break
            try:
                drafts.append(restore("".join(pieces), items, source=source))
            except ValueError as exc:
                reason = str(exc)
                break
        if reason:
            report.rejected.append(Rejection(msgid, reason))
            continue
        if _beside(message):
            message.user_comments = _without_beside(message.user_comments) + [
                f"{BESIDE_PREFIX} ({_digest(message)}, {label}): {' | '.join(drafts)}"]
        else:
            message.string = tuple(drafts) if message.pluralizable else drafts[0]
            message.flags.add("fuzzy")
            message.user_comments = [
                c
                for c in message.user_comments
                if not c.startswith(DRAFT_COMMENT_PREFIX) and c != DRAFT_COMMENT_REVIEW
            ] + comment
        report.drafted += 1
        report.drafted_ids.append(msgid)
    return report


def draft_po_file(
    po_path: Path,
    lang: str,
    packages: Path | None = None,
    *,
    drafter: SupportsTranslate | None = None,
) -> DraftReport:
    """Draft the missing translations of one .po file in place (English -> ``lang``).

    The package is chosen from hotline's tag (zh-Hans -> zh, pt -> pt or pb, ...); the
    model is loaded only if something needs drafting, and the file is rewritten
    (atomically, with babel's usual layout) only if a draft was added.
    """
    po_path = Path(po_path)
    catalog = read_po_file(po_path)
    if drafter is None:
        package = resolve_package(lang, packages)
        meta = _read_metadata(package)
        from_code, to_code = meta["from_code"], meta["to_code"]
        if not _untranslated(catalog):
            return DraftReport(
                from_code, to_code, package_label(meta),
                already_translated=sum(1 for m in catalog if m.id),
            )
        translator: SupportsTranslate = Drafter(package)
    else:
        translator = drafter
        from_code = getattr(drafter, "from_code", "en")
        to_code = getattr(drafter, "to_code", argos_codes(lang)[0])
    report = draft_catalog(catalog, from_code, to_code, translator)
    if report.drafted:
        write_po_file(po_path, catalog)
    return report


def load_drafter(lang: str, packages: Path | None = None) -> Drafter:
    """Find and load the English -> ``lang`` package (reuse it across files)."""
    return Drafter(resolve_package(lang, packages))
