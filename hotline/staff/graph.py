"""The flow as a picture, so staff see every menu, page and transfer and which digit leads
where: Mermaid (Markdown and the staff web page), Graphviz DOT, and SVG through Graphviz's
`dot` program. Menus are boxes, pages notes (stadiums in Mermaid), transfers hexagons
with the service's name and number; each edge carries its option's digit."""
from __future__ import annotations

import shutil
import subprocess

from hotline.flow.model import MENU, PAGE, TRANSFER, Flow, Node

FORMATS = ("mermaid", "dot", "svg")
COLORS = {MENU: "#dbeafe", PAGE: "#f3f4f6", TRANSFER: "#dcfce7"}
_MERMAID = {MENU: ('["', '"]'), PAGE: ('(["', '"])'), TRANSFER: ('{{"', '"}}')}
_DOT = {MENU: "box", PAGE: "note", TRANSFER: "hexagon"}


class GraphError(Exception):
    """SVG could not be drawn; the message says why and what to do."""


def label(flow: Flow, node: Node) -> list[str]:
    """The lines shown in a node: title, id, and for a transfer the service and number."""
    lines = [node.title, f"({node.id})"]
    service = flow.services.get(node.service or "")
    if node.kind == TRANSFER and service:
        lines += [service.name, service.phone]
    return lines


def edges(flow: Flow) -> list[tuple[str, str, int]]:
    return [(n.id, o, i) for n in flow.nodes.values() for i, o in enumerate(n.options, 1)]


def mermaid(flow: Flow) -> str:
    """A Mermaid flowchart; ids are prefixed so a node called `end` cannot break it."""
    def mid(nid: str) -> str:
        return f"n_{nid}"

    def text(line: str) -> str:
        return line.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")

    out = ["flowchart LR"]
    for n in flow.nodes.values():
        left, right = _MERMAID[n.kind]
        out.append(f"  {mid(n.id)}{left}{'<br/>'.join(text(x) for x in label(flow, n))}{right}")
    out += [f"  {mid(a)} -->|{i}| {mid(b)}" for a, b, i in edges(flow)]
    for kind, color in COLORS.items():
        out.append(f"  classDef {kind} fill:{color},stroke:#374151")
        ids = [mid(n.id) for n in flow.nodes.values() if n.kind == kind]
        if ids:
            out.append(f"  class {','.join(ids)} {kind}")
    return "\n".join(out) + "\n"


def dot(flow: Flow) -> str:
    """A Graphviz digraph, left to right."""
    def quote(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    out = ["digraph flow {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=11, style=filled];',
           '  edge [fontname="Helvetica", fontsize=10];']
    for n in flow.nodes.values():
        text = quote("\n".join(label(flow, n))).replace("\n", "\\n")
        out.append(f"  {quote(n.id)} [shape={_DOT[n.kind]}, fillcolor={quote(COLORS[n.kind])}, label={text}];")
    out += [f"  {quote(a)} -> {quote(b)} [label={quote(str(i))}];" for a, b, i in edges(flow)]
    out.append("}")
    return "\n".join(out) + "\n"


def svg(flow: Flow) -> str:
    """The DOT drawing rendered by Graphviz's `dot` program."""
    program = shutil.which("dot")
    if not program:
        raise GraphError("SVG needs Graphviz's `dot` program, which is not installed "
                         "(apt install graphviz, or brew install graphviz); "
                         "--format dot or --format mermaid work without it")
    done = subprocess.run([program, "-Tsvg"], input=dot(flow), capture_output=True, text=True, timeout=60)
    if done.returncode:
        raise GraphError(f"dot failed: {done.stderr.strip()}")
    return done.stdout


def render(flow: Flow, fmt: str) -> str:
    return {"mermaid": mermaid, "dot": dot, "svg": svg}[fmt](flow)
