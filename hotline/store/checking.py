"""The check publishing needs, called through this one function so the store does not depend
on where the check lives."""
from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from hotline.store.files import FLOWS, TRANSLATIONS, write_files


def check_files(files: Mapping[str, bytes], cfg: Mapping) -> list[str]:
    """The check's errors over `files` (empty: it passes), flow tests included."""
    from hotline.staff import check

    with tempfile.TemporaryDirectory(prefix="hotline-check-") as folder:
        root = Path(folder)
        write_files(files, root)
        (root / FLOWS).mkdir(exist_ok=True)
        (root / TRANSLATIONS).mkdir(exist_ok=True)
        report = check.run(root / FLOWS, root / TRANSLATIONS, cfg)
        return [str(p) for p in report.errors]
