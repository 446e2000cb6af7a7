"""YAML files in `flows/` -> a validated, immutable `Flow`.

Staff are not programmers: every mistake is reported with file, line and node id and
what is wrong, all of them at once, never as a traceback.
"""
from __future__ import annotations


import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from hotline.flow.model import (
    KINDS, MENU, PAGE, PLACEHOLDER, START, TRANSFER, Flow, FlowError, Node, Problem, Service,
)

SERVICES_FILE = "services.yaml"
NODE_ID = re.compile(r"^[a-z0-9_]+$")
MAX_OPTIONS = 9


class Located(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers and refuses duplicate keys."""

    duplicates: list[tuple[int, str]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Located:
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


def read_yaml(text: str, problems: list[Problem], label: str) -> Any:
    """Parse one file's text; YAML errors and duplicate keys become problems."""
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        problems.append(Problem(label, line, "", f"not valid YAML: {getattr(exc, 'problem', exc)}"))
        return None
    finally:
        loader.dispose()
    for line, key in loader.duplicates:
        problems.append(Problem(label, line, key, f"'{key}' is written twice; the second one would win"))
    return data


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _services(data: Any, label: str, problems: list[Problem]) -> dict[str, Service]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(label, 1, "", "should be a list of services, each 'id:' then its fields"))
        return {}
    services = {}
    for sid, raw in data.items():
        line = data.lines.get(sid, 0)
        if not isinstance(raw, dict):
            problems.append(Problem(label, line, sid, "a service needs name, phone, source and verified"))
            continue
        for needed in ("name", "phone", "source", "verified"):
            if not _text(raw.get(needed)):
                problems.append(Problem(label, line, sid, f"missing '{needed}'"))
        dial = _text(raw.get("dial")) or None
        if dial and not re.fullmatch(r"\+[1-9]\d{6,14}", dial):
            problems.append(Problem(label, raw.lines.get("dial", line), sid,
                                    f"dial must be a full number like +18554357693, not {dial!r}"))
        services[sid] = Service(
            id=sid, name=_text(raw.get("name")), phone=_text(raw.get("phone")), dial=dial,
            hours=_text(raw.get("hours")), source=_text(raw.get("source")),
            verified=_text(raw.get("verified")), check=_text(raw.get("check")), file=label, line=line,
        )
    return services


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
    options = raw.get("options") or []
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
    if kind == TRANSFER and not _text(raw.get("service")):
        bad("a transfer needs 'service:' naming a service in services.yaml")
    if kind == PAGE and not _text(raw.get("source")):
        bad("a page states facts, so it must name its 'source:'")
    also = raw.get("also")
    if isinstance(also, list):  # a YAML list of phrases reads as well as one line of them
        also = ", ".join(_text(a) for a in also)
    if also is not None and not isinstance(also, str):
        bad("also: is what residents may write for this node: phrases separated by commas", "also")
        also = ""
    return Node(
        id=nid, kind=kind, title=_text(raw.get("title")), text=str(raw.get("text") or "").strip(),
        options=tuple(options), service=_text(raw.get("service")) or None,
        source=_text(raw.get("source")), reviewed=_text(raw.get("reviewed")), file=label, line=line,
        also=" ".join(_text(also).split()),
    )


def _links(nodes: dict[str, Node], services: dict[str, Service], problems: list[Problem]) -> None:
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
    if START not in nodes:
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
    if not isinstance(raw_nodes, dict):
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
    for path in files:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw)
        file_nodes, file_services, file_problems = load_file(path, raw.decode("utf-8", "replace"), _label(path, base))
        problems.extend(file_problems)
        services.update(file_services)
        for node in file_nodes.values():
            if node.id in nodes:
                first = nodes[node.id]
                problems.append(Problem(node.file, node.line, node.id, f"node id also used at {first.file}:{first.line}"))
            else:
                nodes[node.id] = node
    _links(nodes, services, problems)
    return Flow(nodes=nodes, services=services, version=digest.hexdigest()[:12]), problems


def _label(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


