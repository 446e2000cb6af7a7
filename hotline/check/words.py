"""The check's messages as staff read them in the browser: the flow files' words (a file's
name, a field's key, a command to run) said the way the staff pages say them, each field by
its label there. One message, two renderings: `hotline check` prints each message as it is
written, after its file and line, for programmers (`Problem.__str__`); the staff pages show
it in these words, beside the field or under the page's title."""
from __future__ import annotations

import re
from collections.abc import Iterable

from hotline.content import Content
from hotline.flow.model import Problem

# Each field of a page or a service by its label in the staff pages' editors.
FIELDS = {
    "title": "Title", "text": "Text", "also": "Also understood when residents write", "source": "Source",
    "reviewed": "Last checked against the source", "recheck": "Check again by",
    "wording_only": "Only the wording changed", "options": "Options", "service": "Service",
    "name": "Name", "phone": "Phone number residents read", "dial": "Number the voice line connects callers to",
    "hours": "Hours", "verified": "Last verified",
}
FILES = {
    "(fold_traps, locales.yaml)": "(the words of this language that read differently without accents)",
    "'offered: no' in locales.yaml": "marked “not offered” in the list of languages",
    "services.yaml": "the list of services",
    "locales.yaml": "the list of languages",
}
_KEYS = "|".join(sorted(FIELDS, key=len, reverse=True))
_ASIDE = re.compile(r" ?\((?:hotline |flows/README\.md)[^)]*\)")  # a command or a programmer's document
_KEY_VALUE = re.compile(rf"'({_KEYS}): ([^']*)'")                  # 'recheck: 2026-01-01'
_KEY = re.compile(rf"'({_KEYS}):?'|\b({_KEYS})(?::(?= )|(?= is no longer needed)|(?=\)))")  # 'source:', reviewed:
_FILE = re.compile("|".join(re.escape(f) for f in FILES))


def staff_words(message: str) -> str:
    """`message` with the files' words put as the staff pages put them."""
    message = _ASIDE.sub("", message)
    message = _KEY_VALUE.sub(lambda m: f"“{FIELDS[m[1]]}: {m[2]}”", message)
    message = _KEY.sub(lambda m: f"“{FIELDS[m[1] or m[2]]}”", message)
    return _FILE.sub(lambda m: FILES[m[0]], message)


def for_staff(problems: Iterable[Problem], content: Content | None) -> list[str]:
    """Each problem on a line of its own: where (the page's title, else its id) and what."""
    nodes = content.flow.nodes if content is not None else {}
    out = []
    for problem in problems:
        where = nodes[problem.node].title if problem.node in nodes else problem.node
        out.append(f"{where}: {staff_words(problem.message)}" if where else staff_words(problem.message))
    return out
