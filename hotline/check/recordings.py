"""Recorded prompts of languages without a Twilio voice: which files say an earlier text
than the script does now.

Once a speaker has recorded the script (`hotline voices --script TAG`), staff run
`hotline voices --recorded TAG`: it notes in `RECORDINGS/<tag>/recorded.yaml` a digest of
the text each file on disk was recorded from. When that text changes later (its English
or its translation), the recording is stale: `hotline check` warns and `--script` lists it
again. The note holds digests only, never a text.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

MANIFEST = "recorded.yaml"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def read_manifest(folder: Path) -> dict[str, str]:
    """prompt key -> digest of the text it was recorded from (empty when none is noted)."""
    path = folder / MANIFEST
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def note_recorded(folder: Path, script: Mapping[str, str], keys: Iterable[str]) -> int:
    """Note that the files of `keys` say what the script says now; returns how many."""
    noted = read_manifest(folder) | {k: digest(script[k]) for k in keys if k in script}
    (folder / MANIFEST).write_text(yaml.safe_dump(dict(sorted(noted.items()))), encoding="utf-8")
    return len(noted)


def stale(script: Mapping[str, str], manifest: Mapping[str, str], have: Iterable[str]) -> list[str]:
    """The recorded keys whose noted text is not the script's any more."""
    return [k for k in have if k in manifest and k in script and manifest[k] != digest(script[k])]
