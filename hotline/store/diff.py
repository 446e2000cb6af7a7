"""What residents will read differently between two versions of the content: per node or
service (field by field, text line by line) and per language (string by string)."""
from __future__ import annotations

import difflib
import io

from babel.messages.pofile import read_po

from hotline.store.files import Files
from hotline.store.rules import entries


def _lines(value: object) -> list[str]:
    return str(value if value is not None else "").strip().splitlines() or [""]


def _nodes(path: str, old: bytes | None, new: bytes | None) -> list[str]:
    kind = "service" if path.endswith("services.yaml") else "node"
    before, after = entries(path, old), entries(path, new)
    out = []
    for key in [k for k in after if k not in before] + [k for k in before if k not in after]:
        out.append(f"{kind} {key}: {'added' if key in after else 'removed'}")
    for key in [k for k in after if k in before and after[k] != before[k]]:
        a, b = before[key], after[key]
        if not isinstance(a, dict) or not isinstance(b, dict):
            out.append(f"{kind} {key}: changed")
            continue
        for name in [f for f in {**a, **b} if a.get(f) != b.get(f)]:
            out.append(f"{kind} {key} {name}:")
            changed = difflib.unified_diff(_lines(a.get(name)), _lines(b.get(name)), lineterm="", n=0)
            out += [f"    {line}" for line in list(changed)[2:] if not line.startswith("@@")]
    return out


def _strings(data: bytes | None) -> dict[tuple[str, str], str]:
    if data is None:
        return {}
    catalog = read_po(io.BytesIO(data))
    return {(m.context or "", str(m.id)): str(m.string) for m in catalog if m.id}


def _catalog(path: str, old: bytes | None, new: bytes | None) -> list[str]:
    before, after = _strings(old), _strings(new)
    out = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a != b:
            context, msgid = key
            out.append(f"{context or msgid[:40]}: {a or '(untranslated)'!r} -> {b or '(untranslated)'!r}"
                       if a is not None and b is not None else
                       f"{context or msgid[:40]}: {'added' if a is None else 'removed'}")
    return out


def describe(a: Files, b: Files) -> list[str]:
    """Lines for staff, grouped under each file (a catalog is headed by its language)."""
    out = []
    for path in sorted(set(a) | set(b)):
        old, new = a.get(path), b.get(path)
        if old == new:
            continue
        parts = path.split("/")
        if path.endswith(".po"):
            head, body = f"== language {parts[1]} ({path})", _catalog(path, old, new)
        elif parts[0] == "flows" and len(parts) == 2 and path.endswith(".yaml"):
            head, body = f"== {path}", _nodes(path, old, new)
        else:
            head, body = f"== {path}", ["added" if old is None else "removed" if new is None else "changed"]
        out += [head] + [f"  {line}" for line in body or ["(only comments or layout changed)"]]
    return out
