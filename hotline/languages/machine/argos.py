"""The Argos Translate packages installed on this machine: where they live, which one
translates English into a hotline language, and installing one from its ``.argosmodel``
file. Nothing here downloads anything: a missing package is an error that says how to
install one."""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from hotline.languages.locales import SOURCE


class DraftError(Exception):
    """Base class for machine-draft errors (what the CLI and the staff pages catch)."""


class BadPackage(DraftError, ValueError):
    """A file or folder is not a usable Argos Translate package."""


class MissingPackage(DraftError, LookupError):
    """No installed package translates the requested pair."""

    def __init__(self, from_code: str, to_code: str, where: Path, lang: str | None = None) -> None:
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


def read_metadata(folder: Path) -> dict[str, Any]:
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


def checked_metadata(folder: Path) -> dict[str, Any]:
    """Check the files the drafter needs are present; return the metadata."""
    meta = read_metadata(folder)
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
            checked_metadata(unpacked)
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


def _version_key(version: Any) -> tuple[tuple[int, int | str], ...]:
    """'1.10' after '1.9', as package versions count."""
    parts = re.findall(r"\d+|[A-Za-z]+", str(version or ""))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def _installed(root: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every valid translate package in the packages folder, with its metadata (an unpacking
    left half done, or any other folder, is passed over)."""
    if not root.is_dir():
        return
    for child in sorted(root.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue
        try:
            yield child, read_metadata(child)
        except BadPackage:
            continue


def find_package(from_code: str, to_code: str, into: Path | None = None) -> Path:
    """The installed package folder for ``from_code -> to_code`` (newest version wins).

    Never downloads: raises :class:`MissingPackage` with install instructions instead.
    """
    root = Path(into) if into is not None else packages_dir()
    matches = [(meta, folder) for folder, meta in _installed(root)
               if meta["from_code"] == from_code and meta["to_code"] == to_code]
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


def resolve_package(lang: str, into: Path | None = None) -> Path:
    """Installed package translating English into hotline language ``lang``."""
    root = Path(into) if into is not None else packages_dir()
    from_code, codes = argos_codes(SOURCE)[0], argos_codes(lang)
    for code in codes:
        try:
            return find_package(from_code, code, root)
        except MissingPackage:
            continue
    raise MissingPackage(from_code, codes[0], root, lang=lang)
