"""Editing one node or service of a flow file in place, the way a person would: the fields
changed are written again in the file's own style, and everything else (comments, `# confirm:`
notes, the order, other nodes) stays byte for byte. Cuts files with `merge.yaml_blocks`, the
one place that knows where a node begins and ends."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import yaml

from hotline.store.merge import yaml_blocks

FIELD = re.compile(r"^( *)([A-Za-z_][A-Za-z0-9_]*):(?: |$)")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SERVICES = "flows/services.yaml"


class EditError(ValueError):
    """An edit that cannot be made, said in one sentence for staff."""


@dataclass
class Part:
    """One field of an entry (its lines, with the blank lines after it), or a comment (`name` None)."""

    name: str | None
    text: str

    @property
    def body(self) -> str:
        return self.text.rstrip("\n") + "\n"

    @property
    def gap(self) -> str:
        return self.text[len(self.text.rstrip("\n")) + 1:]


@dataclass
class Entry:
    """A node (or service) block cut into its head line, its fields and what follows them
    (blank lines, and comments that head the next part of the file)."""

    head: str
    parts: list[Part]
    tail: str
    indent: int  # of its fields

    def text(self) -> str:
        return self.head + "".join(p.text for p in self.parts) + self.tail

    def values(self) -> dict[str, object]:
        loaded = yaml.safe_load(self.head + "".join(p.body for p in self.parts if p.name)) or {}
        return dict(next(iter(loaded.values())) or {})


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def parse_entry(block: str) -> Entry:
    lines = block.splitlines(keepends=True)
    head, rest = lines[0], lines[1:]
    indent = _indent(head) + 2
    parts: list[Part] = []
    for line in rest:
        found = FIELD.match(line)
        if found and len(found.group(1)) == indent:
            parts.append(Part(found.group(2), line))
        elif line.strip().startswith("#") and _indent(line) == indent:
            parts.append(Part(None, line))
        elif parts:
            parts[-1].text += line
        else:
            parts.append(Part(None, line))
    tail = ""
    while parts:  # blank lines and shallower comments after the last field head the next block
        lines = parts[-1].text.splitlines(keepends=True)
        while len(lines) > 1 and (not lines[-1].strip() or _indent(lines[-1]) < indent):
            tail = lines.pop() + tail
        parts[-1].text = "".join(lines)
        if parts[-1].name is None and (not lines[0].strip() or _indent(lines[0]) < indent):
            tail = parts.pop().text + tail
            continue
        break
    return Entry(head, parts, tail, indent)


# Writing a field ---------------------------------------------------------------------------

def _plain(value: str) -> bool:
    """A string that reads back as itself unquoted (a date is written as one)."""
    if not value or value != value.strip() or value[0] in "!&*[]{}|>'\"%@`#,?:-" or ": " in value or " #" in value:
        return False
    try:
        loaded = yaml.safe_load(value)
    except yaml.YAMLError:
        return False
    return loaded == value or (isinstance(loaded, date) and DATE.match(value) is not None)


def _scalar(value: object, like: str = "") -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if like.startswith("'") and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if like.startswith('"') or not _plain(text):
        return json.dumps(text, ensure_ascii=False)  # JSON's escapes are YAML's double-quoted ones
    return text


def emit(name: str, value: object, indent: int, like: str = "") -> str:
    """One field in the file's style: `like` is how the field was written before (its first
    line after the colon), so a double-quoted source stays double-quoted and a text block
    stays a block; text of several lines is a literal block, each paragraph on its line."""
    pad = " " * indent
    if isinstance(value, (list, tuple)):
        return f"{pad}{name}: [{', '.join(_scalar(v) for v in value)}]\n"
    if isinstance(value, str) and ("\n" in value.strip() or like[:1] in ("|", ">")):
        lines = [line.rstrip() for line in value.strip().splitlines()]
        return f"{pad}{name}: |\n" + "".join(f"{pad}  {line}\n" if line else "\n" for line in lines)
    if isinstance(value, date):
        value = value.isoformat()
    return f"{pad}{name}: {_scalar(value, like)}\n"


def _same(old: object, new: object) -> bool:
    if isinstance(old, list) and isinstance(new, str):  # `also:` written as a list, edited as one line
        old = ", ".join(str(o) for o in old)
    def norm(value: object) -> object:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            return "\n".join(line.rstrip() for line in value.replace("\r\n", "\n").strip().splitlines())
        if isinstance(value, (list, tuple)):
            return [norm(v) for v in value]
        return value
    return norm(old) == norm(new)


def _style(part: Part) -> str:
    return part.text.split(":", 1)[1].strip().split("\n")[0] if part.name else ""


def set_fields(entry: Entry, values: Mapping[str, object]) -> Entry:
    """The entry with `values` written (None removes a field); a field whose value is the
    same keeps its bytes; a new field (not empty) goes after the last one."""
    current = entry.values()
    parts = list(entry.parts)
    for name, value in values.items():
        at = next((i for i, p in enumerate(parts) if p.name == name), None)
        if at is None:
            if value not in (None, "", []):
                last = max((i for i, p in enumerate(parts) if p.name), default=len(parts) - 1)
                parts.insert(last + 1, Part(name, emit(name, value, entry.indent)))
            continue
        if value is None:
            parts.pop(at)
        elif not _same(current.get(name), value):
            old = parts[at]
            parts[at] = Part(name, emit(name, value, entry.indent, _style(old)) + old.gap)
    if parts and not parts[-1].text.endswith("\n"):
        parts[-1].text += "\n"
    return Entry(entry.head, parts, entry.tail, entry.indent)


# Files --------------------------------------------------------------------------------------

def entries_of(text: str) -> dict[str, str]:
    """The blocks of a flow file by node (or service) id; "" is the file's header."""
    return dict(yaml_blocks(text))


def where(files: Mapping[str, bytes], key: str, service: bool = False) -> str | None:
    """The flow file that holds node (or service) `key`."""
    paths = [SERVICES] if service else sorted(p for p in files if p.startswith("flows/") and p.count("/") == 1
                                              and p.endswith(".yaml") and p != SERVICES)
    for path in paths:
        if path in files and key in entries_of(files[path].decode("utf-8")):
            return path
    return None


def edit(text: str, key: str, values: Mapping[str, object]) -> str:
    """The file with one entry's fields changed."""
    blocks = yaml_blocks(text)
    if key not in dict(blocks):
        raise EditError(f"there is no '{key}' in this file any more.")
    return "".join(set_fields(parse_entry(b), values).text() if k == key else b for k, b in blocks)


def add(text: str, key: str, values: Mapping[str, object], after: str) -> str:
    """A new entry, written after the entry `after` (before the comments that head what follows)."""
    blocks = yaml_blocks(text)
    if key in dict(blocks):
        raise EditError(f"'{key}' is already taken: choose another title.")
    out = []
    for k, block in blocks:
        if k != after:
            out.append(block)
            continue
        entry = parse_entry(block)
        body = entry.head + "".join(p.text for p in entry.parts)
        head = " " * (entry.indent - 2) + f"{key}:\n"
        styles = {p.name: _style(p) for p in entry.parts if p.name}  # as its neighbour writes them
        new = Entry(head, [Part(n, emit(n, v, entry.indent, styles.get(n, ""))) for n, v in values.items()
                           if v not in (None, "", [])], "", entry.indent)
        out.append(body.rstrip("\n") + "\n\n" + new.text() + (entry.tail if entry.tail.startswith("\n") else
                                                              "\n" + entry.tail))
    if after not in dict(blocks):
        raise EditError(f"there is no '{after}' in this file any more.")
    return "".join(out)


def remove(text: str, key: str) -> str:
    """The file without one entry; the comments after it (heading the next part) stay."""
    return "".join(parse_entry(b).tail.lstrip("\n") if k == key else b for k, b in yaml_blocks(text))


def leading_to(files: Mapping[str, bytes], key: str, service: bool = False) -> list[str]:
    """The nodes that lead to a node (as an option) or use a service (as a transfer or a
    {number}): while there are any, it cannot be removed."""
    out = []
    for path in sorted(p for p in files if p.startswith("flows/") and p.count("/") == 1 and p.endswith(".yaml")):
        if path == SERVICES:
            continue
        nodes = (yaml.safe_load(files[path]) or {}).get("nodes") or {}
        for nid, node in nodes.items():
            if not isinstance(node, dict):
                continue
            words = f"{node.get('title', '')} {node.get('text', '')}"
            if (key in (node.get("options") or []) if not service else
                    node.get("service") == key or "{" + key + "}" in words):
                out.append(str(nid))
    return out
