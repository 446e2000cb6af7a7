"""Three-way merge of content, node by node and string by string.

A file is cut into keyed blocks whose concatenation is the file itself, byte for byte: a flow
file into its nodes (or services) by id, a catalog into its entries by msgctxt and msgid. Two
changes to the same file merge when they touch different blocks; both changing one block
differently is a conflict, reported, never resolved by dropping one side."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from hotline.store.files import Files

Block = tuple[str, str]  # (key, text); key "" is what comes before the first node or entry
NODES_KEY = re.compile(r"^nodes:\s*$")


def yaml_blocks(text: str) -> list[Block]:
    """A flow file's nodes (under `nodes:`, two spaces in) or services (at the top level)."""
    lines = text.splitlines(keepends=True)
    nested = any(NODES_KEY.match(line) for line in lines)
    item = re.compile(r"^  ([A-Za-z0-9_]+):" if nested else r"^[\"']?([A-Za-z0-9_]+)[\"']?:")  # "988": a quoted id
    blocks: list[list[str]] = [["", ""]]
    inside = not nested
    for line in lines:
        if nested and NODES_KEY.match(line):
            inside = True
        found = item.match(line) if inside else None
        if found:
            blocks.append([found.group(1), ""])
        blocks[-1][1] += line
    return [(k, v) for k, v in blocks if k or v]


def _po_key(block: str) -> str:
    """msgctxt and msgid as written (with continuation lines); obsolete entries apart."""
    fields: dict[str, str] = {}
    current = ""
    for line in block.splitlines():
        stripped = line[3:] if line.startswith("#~ ") else line
        prefix = "~" if line.startswith("#~ ") else ""
        head = stripped.split(" ", 1)
        if head[0] in ("msgctxt", "msgid") and len(head) == 2:
            current = prefix + head[0]
            fields[current] = head[1]
        elif stripped.startswith('"') and current:
            fields[current] += stripped
        elif not stripped.startswith("#"):
            current = ""
    return "\x04".join(fields.get(k, "") for k in ("msgctxt", "msgid", "~msgctxt", "~msgid"))


def _po_blocks(text: str) -> list[Block]:
    """Entries, each with the blank lines after it."""
    blocks: list[list[str]] = []
    for line in text.splitlines(keepends=True):
        if not blocks or (line.strip() and not blocks[-1][1].splitlines()[-1].strip()):
            blocks.append(["", ""])
        blocks[-1][1] += line
    return [(_po_key(text), text) for _, text in blocks]


def blocks(path: str, data: bytes) -> list[Block] | None:
    """The keyed blocks of a file that merges block by block; None for one that merges whole."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if path.endswith(".po"):
        found = _po_blocks(text)
    elif path.startswith("flows/") and path.count("/") == 1 and path.endswith(".yaml"):
        found = yaml_blocks(text)
    else:
        return None
    return found if len({k for k, _ in found}) == len(found) else None  # a key twice: merged whole


def what(path: str, key: str) -> str:
    """A block named for staff."""
    if not key:
        return f"{path} (its header)"
    if path.endswith(".po"):
        context, msgid = (key.split("\x04") + ["", ""])[:2]
        return f"{path} string {context.strip(chr(34))} {msgid[:60]}"
    return f"{path} {'service' if path.endswith('services.yaml') else 'node'} '{key}'"


@dataclass(frozen=True)
class Merged:
    files: dict[str, bytes]
    conflicts: list[str]  # what both sides changed differently, named for staff


def _three(base: object, mine: object, theirs: object) -> tuple[object, bool]:
    """(the result, whether it is a conflict); None means absent."""
    if mine == base or mine == theirs:
        return theirs, False
    if theirs == base:
        return mine, False
    return theirs, True


def _merge_blocks(path: str, base: list[Block], mine: list[Block], theirs: list[Block]) -> tuple[str, list[str]]:
    b, m, t = dict(base), dict(mine), dict(theirs)
    conflicts = []
    out: list[Block] = []
    for key in [k for k, _ in theirs] + [k for k, _ in mine if k not in t]:
        value, clash = _three(b.get(key), m.get(key), t.get(key))
        if clash:
            conflicts.append(what(path, key))
        if value is not None:
            out.append((key, str(value)))
    order = [k for k, _ in mine]  # a block only this draft added goes after the one before it in the draft
    placed = [k for k, _ in out if k in t]
    for key in [k for k, _ in out if k not in t]:
        before = order[:order.index(key)]
        anchor = next((k for k in reversed(before) if k in placed), None)
        at = placed.index(anchor) + 1 if anchor is not None else (1 if placed[:1] == [""] else 0)
        placed.insert(at, key)
    values = dict(out)
    return "".join(_ended(values[k]) if i < len(placed) - 1 else values[k] for i, k in enumerate(placed)), conflicts


def _ended(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def merge(base: Files, mine: Files, theirs: Files) -> Merged:
    """`mine` (a draft's whole files) and `theirs` (the published files), both changed from `base`."""
    files: dict[str, bytes] = {}
    conflicts: list[str] = []
    for path in sorted(set(base) | set(mine) | set(theirs)):
        b, m, t = base.get(path), mine.get(path), theirs.get(path)
        value, clash = _three(b, m, t)
        if clash and b is not None and m is not None and t is not None:
            parts = [blocks(path, x) for x in (b, m, t)]
            if all(p is not None for p in parts):
                text, clashes = _merge_blocks(path, *parts)  # type: ignore[arg-type]
                conflicts += clashes
                files[path] = text.encode("utf-8")
                continue
        if clash:
            conflicts.append(f"{path} (the whole file)")
        if value is not None:
            files[path] = value  # type: ignore[assignment]
    return Merged(files, conflicts)


def overlap(files: Files, other: Files) -> int:
    """How many blocks (nodes, strings; a whole file where it does not cut) two versions share:
    finds which revision an import was exported from."""
    shared = 0
    for path, data in files.items():
        theirs = other.get(path)
        if theirs is None:
            continue
        mine = blocks(path, data)
        if theirs == data:
            shared += len(mine) if mine is not None else 1
        elif mine is not None:
            shared += len(set(mine) & set(blocks(path, theirs) or []))
    return shared


def changed(base: Files, files: Mapping[str, bytes]) -> dict[str, bytes | None]:
    """The files that differ from `base` (None: removed)."""
    out: dict[str, bytes | None] = {p: d for p, d in files.items() if base.get(p) != d}
    out.update({p: None for p in base if p not in files})
    return out
