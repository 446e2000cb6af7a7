"""The check publishing needs, called through this one function so the store depends on the
check's entry point only."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotline.check.version import check_files as check
from hotline.check.words import for_staff


def check_files(files: Mapping[str, bytes], cfg: Mapping[str, Any]) -> list[str]:
    """The check's errors over `files` (empty: it passes), flow tests included, in staff's
    words: a refused publish says them in the staff pages (`hotline check` names the files)."""
    report = check(files, cfg)
    return for_staff(report.errors, report.content)
