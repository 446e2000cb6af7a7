"""YAML files in `flows/` -> a validated, immutable `Flow`.

Staff are not programmers: every mistake is reported with file, line and node id and
what is wrong, all of them at once, never as a traceback.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from hotline.flow.model import (
    KINDS,
    MENU,
    PAGE,
    PLACEHOLDER,
    START,
    TRANSFER,
    Flow,
    FlowError,
    Kind,
    Node,
    Problem,
    Service,
)

SERVICES_FILE = "services.yaml"
NODE_ID = re.compile(r"^[a-z0-9_]+$")
MAX_OPTIONS = 9


class Located(dict[str, Any]):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers and refuses duplicate keys."""

    duplicates: list[tuple[int, str]]

    # Its keys are always text (str() below), where PyYAML declares any hashable: dict is invariant in them.
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Located:  # type: ignore[override]
        out = Located()
        out.line = node.start_mark.line + 1
        out.lines = {}
        for key_node, value_node in node.value:
            key = str(self.construct_object(key_node, deep=True))
            if key in out:
                self.duplicates.append((key_node.start_mark.line + 1, key))
            out[key] = self.construct_object(value_node, deep=True)
            out.lines[key] = key_node.start_mark.line + 1
        return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
# Dates stay text: staff write 2026-11-26 and expect to see it back as written.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in _Loader.yaml_implicit_resolvers.items()
}


class _FastLoader(getattr(yaml, "CSafeLoader", _Loader)):  # type: ignore[misc]
    """The same loader on libyaml's parser, where PyYAML was built with it."""

    duplicates: list[tuple[int, str]]


_FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _parse(kind: type, text: str) -> tuple[Any, Any]:
    loader = kind(text)
    loader.duplicates = []
    try:
        return loader.get_single_data(), loader
    finally:
        loader.dispose()


def explain_yaml(exc: yaml.YAMLError, text: str) -> tuple[int, str]:
    """A parser error -> (the line to fix, what is wrong in plain words, quoting the line).
    PyYAML names the place where it gave up, which for a tab or a stray colon is that line
    and for a bad indentation is often the line after it."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark else 0
    rows = text.splitlines()
    problem = str(getattr(exc, "problem", "") or exc)
    context = str(getattr(exc, "context", "") or "")
    tabbed = next((n for n in (line, line - 1) if 0 < n <= len(rows) and "\t" in rows[n - 1]), 0)
    if "\\t" in problem or "\t" in problem or tabbed:
        line = tabbed or line
        why = "a tab character: YAML indents with spaces only; replace the tab with spaces"
    elif "mapping values are not allowed" in problem and _values_colon(rows, line):
        why = ("a colon followed by a space inside a text: put the whole text in double quotes "
               "(text: \"Call: 911\"), or write `text: >` and the text on the lines below, indented")
    elif ("expected <block end>" in problem or "did not find expected key" in problem
          or "mapping values are not allowed" in problem
          or ("could not find expected ':'" in problem and "simple key" in context)):
        if "could not find expected ':'" in problem and mark and line > 1:
            line -= 1  # PyYAML points at the line after the one missing its colon
        why = ("indentation: this line is not lined up with the lines of the same entry above it "
               "(each level is two more spaces), or a line before it lacks its 'key:'")
    elif "found undefined alias" in problem or "found character" in problem:
        why = "a character YAML reserves (* & ! % @ `) starts a text: put the whole text in double quotes"
    elif "quoted scalar" in context:
        opened = getattr(exc, "context_mark", None)
        line = opened.line + 1 if opened else line
        why = "a quote is opened here and never closed: close it with the same quote mark"
    else:
        why = f"YAML cannot read this ({problem})"
    shown = rows[line - 1].replace("\t", "→") if 0 < line <= len(rows) else ""
    return line, f"not valid YAML: {why}" + (f"\n  line {line}: {shown.rstrip()}" if shown.strip() else "")


def _values_colon(rows: list[str], line: int) -> bool:
    """The line is `key: value` whose value holds another ': ' (not a mis-indented key)."""
    row = rows[line - 1] if 0 < line <= len(rows) else ""
    _key, colon, value = row.partition(": ")
    return bool(colon) and ": " in value


def read_yaml(text: str, problems: list[Problem], label: str) -> Any:
    """Parse one file's text; YAML errors (explained) and duplicate keys become problems.
    libyaml's parser reads it (ten times faster: the serving gate and start-up read every
    flow and test file); a file it refuses is read again by PyYAML's own, whose errors are
    the ones `explain_yaml` puts in plain words."""
    try:
        data, loader = _parse(_FastLoader, text)
    except yaml.YAMLError:
        try:
            data, loader = _parse(_Loader, text)
        except yaml.YAMLError as exc:
            line, message = explain_yaml(exc, text)
            problems.append(Problem(label, line, "", message, kind=Kind.YAML))
            return None
    for line, key in loader.duplicates:
        problems.append(Problem(label, line, key, f"'{key}' is written twice; the second one would win"))
    return data


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _services(data: Any, label: str, problems: list[Problem]) -> dict[str, Service]:
    if data is None:
        return {}
    if not isinstance(data, Located):  # every YAML mapping loads as one
        problems.append(Problem(label, 1, "", "should be a list of services, each 'id:' then its fields"))
        return {}
    services = {}
    for sid, raw in data.items():
        line = data.lines.get(sid, 0)
        if not isinstance(raw, Located):
            problems.append(Problem(label, line, sid, "a service needs name, phone, source and verified"))
            continue
        for needed in ("name", "phone", "source", "verified"):
            if not _text(raw.get(needed)):
                problems.append(Problem(label, line, sid, f"missing '{needed}'"))
        dial = _text(raw.get("dial")) or None
        phone = _text(raw.get("phone"))
        if dial:
            mismatch = dial_problem(phone, dial)
            if mismatch:
                problems.append(Problem(label, raw.lines.get("dial", line), sid, mismatch))
        services[sid] = Service(
            id=sid, name=_text(raw.get("name")), phone=phone, dial=dial,
            hours=_text(raw.get("hours")), source=_text(raw.get("source")),
            verified=_text(raw.get("verified")), check=_text(raw.get("check")), file=label, line=line,
            wording_only=_wording_only(raw, ("name", "hours"), label, sid, problems), recheck=_text(raw.get("recheck")),
        )
    return services


def dial_problem(phone: str, dial: str) -> str:
    """'' when `dial` is `phone` in E.164 form (+1 and ten digits for a US number); else
    why not. SMS gives `phone` and the voice line connects to `dial`: they must agree."""
    if not re.fullmatch(r"\+1\d{10}|\+[2-9]\d{6,14}", dial):
        return (f"dial {dial!r} is not a full number: write it as + then the country code and the number, "
                f"like +18554357693 for {phone or '1-855-435-7693'} (or leave dial out)")
    digits = re.sub(r"\D", "", phone)
    if dial.lstrip("+") not in (digits, "1" + digits):
        return (f"phone {phone} and dial {dial} are different numbers: SMS would give one and the voice line "
                "would connect callers to the other; change both together (or leave dial out)")
    return ""


WORDING_ONLY = "wording_only"


def _wording_only(raw: Mapping[str, Any], fields: tuple[str, ...], label: str, entry: str,
                  problems: list[Problem]) -> tuple[str, ...]:
    """`wording_only: true` (every field) or the fields named (`wording_only: text`):
    staff reworded them without changing what they mean, so a translation of the earlier
    English stays true until translators catch up."""
    value = raw.get(WORDING_ONLY)
    if value is None or value is False:
        return ()
    if value is True:
        return fields
    named = [str(v) for v in (value if isinstance(value, list) else [value])]
    wrong = [n for n in named if n not in fields]
    if wrong:
        at = raw.lines.get(WORDING_ONLY, raw.line) if isinstance(raw, Located) else 0
        problems.append(Problem(label, at, entry,
                                f"wording_only: write true, or some of {', '.join(fields)}; not {', '.join(wrong)}"))
    return tuple(n for n in named if n in fields)


def _options(value: Any, kind: str, bad: Callable[[str, str], None]) -> list[str]:
    """A node's options as node ids: only a menu has them, and no more than the keypad holds."""
    options = value or []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        bad("options must be a list of node ids, like [rights, legal_help]", "options")
        options = []
    if kind == MENU and not options:
        bad("a menu needs options", "options")
    if kind != MENU and options:
        bad(f"a {kind} has no options; make it a menu", "options")
    if len(options) > MAX_OPTIONS:
        bad(f"{len(options)} options; at most {MAX_OPTIONS} fit the keypad", "options")
    seen = set()
    for option in options:
        if option in seen:
            bad(f"option '{option}' is listed twice", "options")
        seen.add(option)
    return options


def _also(value: Any, bad: Callable[[str, str], None]) -> str:
    """What residents may write for a node, as one line of phrases (a YAML list reads as well)."""
    if isinstance(value, list):
        value = ", ".join(_text(a) for a in value)
    if value is not None and not isinstance(value, str):
        bad("also: is what residents may write for this node: phrases separated by commas", "also")
        value = ""
    return " ".join(_text(value).split())


def _node(nid: str, raw: Any, label: str, line: int, problems: list[Problem]) -> Node | None:
    def bad(message: str, key: str = "") -> None:
        at = raw.lines.get(key, line) if isinstance(raw, Located) else line
        problems.append(Problem(label, at, nid, message))

    if not NODE_ID.match(nid):
        bad("node ids use only lowercase letters, digits and _")
    if not isinstance(raw, dict):
        bad("a node needs type, title and text")
        return None
    kind = _text(raw.get("type"))
    if kind not in KINDS:
        bad(f"type must be one of {', '.join(KINDS)}, not {kind or 'nothing'!r}", "type")
        return None
    for needed in ("title", "text"):
        if not _text(raw.get(needed)):
            bad(f"missing '{needed}'")
    options = _options(raw.get("options"), kind, bad)
    if kind == TRANSFER and not _text(raw.get("service")):
        bad("a transfer needs 'service:' naming a service in services.yaml")
    if kind == PAGE and not _text(raw.get("source")):
        bad("a page states facts, so it must name its 'source:'")
    also = _also(raw.get("also"), bad)
    return Node(
        id=nid, kind=kind, title=_text(raw.get("title")), text=str(raw.get("text") or "").strip(),
        options=tuple(options), service=_text(raw.get("service")) or None,
        source=_text(raw.get("source")), reviewed=_text(raw.get("reviewed")), recheck=_text(raw.get("recheck")),
        file=label, line=line,
        also=also,
        wording_only=_wording_only(raw, ("title", "text"), label, nid, problems),
    )


def _links(nodes: dict[str, Node], services: dict[str, Service], problems: list[Problem], unread: bool) -> None:
    """Every option, service and {placeholder} must point at something that exists."""
    for node in nodes.values():
        for option in node.options:
            if option not in nodes:
                problems.append(Problem(node.file, node.line, node.id, f"option '{option}' points to no node"))
        if node.service and node.service not in services:
            problems.append(Problem(node.file, node.line, node.id, f"service '{node.service}' is not in services.yaml"))
        for name in PLACEHOLDER.findall(node.text + node.title):
            if name not in services:
                problems.append(Problem(node.file, node.line, node.id,
                                        f"{{{name}}} is not a service id in services.yaml"))
    if START not in nodes and not unread:  # a file YAML could not read may well hold it
        problems.append(Problem("flows", 0, START, f"there is no '{START}' node (the main menu)"))


def load_file(path: Path, text: str, label: str) -> tuple[dict[str, Node], dict[str, Service], list[Problem]]:
    """One flow file's nodes (or services, for services.yaml), and what is wrong in it."""
    problems: list[Problem] = []
    data = read_yaml(text, problems, label)
    if data is None:
        return {}, {}, problems
    if path.name == SERVICES_FILE:
        return {}, _services(data, label, problems), problems
    raw_nodes = data.get("nodes") if isinstance(data, dict) else None
    if not isinstance(raw_nodes, Located):
        problems.append(Problem(label, 1, "", "a flow file holds 'nodes:' and then one entry per node"))
        return {}, {}, problems
    nodes: dict[str, Node] = {}
    for nid, raw in raw_nodes.items():
        node = _node(str(nid), raw, label, raw_nodes.lines.get(nid, 0), problems)
        if node:
            nodes[node.id] = node
    return nodes, {}, problems


def load_flow(folder: Path, *, base: Path | None = None) -> Flow:
    """Read every flow file in `folder`; raise FlowError listing all problems found."""
    flow, problems = read_flow(folder, base=base)
    if problems:
        raise FlowError(problems)
    return flow


def read_flow(folder: Path, *, base: Path | None = None) -> tuple[Flow, list[Problem]]:
    """Every flow file in `folder` (not its subfolders, such as `tests/`) and all problems
    found. With problems the Flow holds what could be read, so `hotline check` can report
    every mistake at once; only an empty folder raises FlowError."""
    folder = Path(folder)
    base = base or folder.parent
    problems: list[Problem] = []
    digest = hashlib.sha256()
    files = sorted(p for p in folder.glob("*.yaml") if p.is_file())
    if not files:
        raise FlowError([Problem(str(folder), 0, "", "no flow files (*.yaml) here")])
    services: dict[str, Service] = {}
    nodes: dict[str, Node] = {}
    unread = False
    for path in files:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw)
        file_nodes, file_services, file_problems = load_file(path, raw.decode("utf-8", "replace"), _label(path, base))
        problems.extend(file_problems)
        unread = unread or any(p.kind == Kind.YAML for p in file_problems)
        services.update(file_services)
        for node in file_nodes.values():
            if node.id in nodes:
                first = nodes[node.id]
                problems.append(Problem(node.file, node.line, node.id, f"node id also used at {first.file}:{first.line}"))
            else:
                nodes[node.id] = node
    _links(nodes, services, problems, unread)
    return Flow(nodes=nodes, services=services, version=digest.hexdigest()[:12]), problems


def _label(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


