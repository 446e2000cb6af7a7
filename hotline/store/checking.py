"""The check publishing needs, called through this one function so the store depends on the
check's entry point only."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotline.check.version import check_files as check


def check_files(files: Mapping[str, bytes], cfg: Mapping[str, Any]) -> list[str]:
    """The check's errors over `files` (empty: it passes), flow tests included."""
    return [str(p) for p in check(files, cfg).errors]
