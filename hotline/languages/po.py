"""The catalogs' file format: gettext PO as Babel reads and writes it, with the previous
msgids (`#| msgid`) kept, and the one layout every command writes, so that catalogs
round-trip byte for byte (`hotline i18n extract && hotline i18n update` changes nothing)."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import normalize as po_quoted, read_po, unescape, write_po

Key = tuple[str, str]  # (msgctxt, msgid)


_PREVIOUS_LINE = re.compile(r'^\|\s*(msgid_plural|msgid|msgctxt)?\s*("(?:[^"\\]|\\.)*")\s*$')


def read_po_file(path: Path) -> Catalog:
    return read_po_bytes(path.read_bytes())


def read_po_bytes(data: bytes) -> Catalog:
    """A catalog with its previous msgids (`#| msgid`): Babel's reader keeps those as plain
    comments, and writing them back would lose the hint that tells translators what the
    English said before. Obsolete (`#~`) entries are dropped: they hold superseded texts
    the line must never serve, and no command writes them back. (`po_bytes` writes it back
    byte for byte.)"""
    catalog = read_po(io.BytesIO(data), ignore_obsolete=True)
    for message in catalog:
        lines = [c for c in message.user_comments if c.startswith("|")]
        if not lines or message.previous_id:
            continue
        parts: dict[str, str] = {}
        key: str | None = None
        for line in lines:
            found = _PREVIOUS_LINE.match(line)
            key = (found.group(1) or key) if found else None
            if found is None or key is None or key == "msgctxt":
                break
            parts[key] = parts.get(key, "") + unescape(found.group(2))
        else:
            if "msgid" in parts:
                message.previous_id = [parts["msgid"], *([parts["msgid_plural"]] if "msgid_plural" in parts else [])]
                message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    return catalog


def write_po_file(path: Path, catalog: Catalog) -> None:
    """The one layout every command writes: previous msgids kept, obsolete entries never,
    file names without line numbers (adding a page elsewhere moves no other entry), wrapped
    at 79 columns; written to a temporary file and moved into place, so the running line
    never reads half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(po_bytes(catalog))
    os.replace(temporary, path)


def po_bytes(catalog: Catalog) -> bytes:
    """Babel's layout, with each previous msgid written as GNU gettext reads it. (Babel's own
    `include_previous` wraps `#| msgid "..."` like a comment, in the middle of the string,
    which `msgfmt --check` rejects: so it is added here, as quoted lines.)"""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=79, include_lineno=False, ignore_obsolete=True)
    blocks = buffer.getvalue().decode("utf-8").split("\n\n")  # strings escape newlines: blocks are entries
    for i, message in enumerate((m for m in catalog if m.id), start=1):
        if message.previous_id and i < len(blocks):
            lines = blocks[i].split("\n")
            at = next(n for n, row in enumerate(lines) if row.startswith(("msgctxt ", "msgid ")))
            quoted = po_quoted(message.previous_id[0], width=79).split("\n")
            previous = [f"#| msgid {quoted[0]}", *(f"#| {row}" for row in quoted[1:])]
            blocks[i] = "\n".join(lines[:at] + previous + lines[at:])
    return "\n\n".join(blocks).encode("utf-8")
