"""Which strings of the flows residents see, for translators and for the publish gate.

`flow_messages` is the single list of what must be translated; the Babel extractor
(`babel.extractors` entry point `hotline_flow`) yields the same entries file by file.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from hotline.flow.load import SERVICES_FILE, load_file
from hotline.flow.model import MENU, PAGE, TRANSFER, Flow, Node, Service


class Message(NamedTuple):
    context: str
    text: str
    comment: str
    line: int


_WHERE = {
    MENU: "SMS and voice: menu text before the numbered options; keep it under 160 characters",
    PAGE: "SMS and voice: a page read whole; SMS splits it at blank lines into messages",
    TRANSFER: "SMS and voice: said before the service's name, number and hours; keep it short",
}
_TITLE = ("SMS and voice: menu label for this node and a speech hint on the voice line; "
          "at most 30 characters")


def service_context(sid: str) -> str:
    return f"service.{sid}"


def node_messages(node: Node) -> list[Message]:
    note = "Keep {placeholders} exactly as written; they become phone numbers."
    return [
        Message(node.id, node.title, _TITLE, node.line),
        Message(node.id, node.text, f"{_WHERE[node.kind]}. {note}", node.line),
    ]


_ALSO = ("Not shown to residents: words and phrases a resident may write or say when they "
         "want this topic, separated by commas. Do not translate word for word: write what "
         "people who speak your language would type, with everyday words, slang and common "
         "misspellings (also without accents); add or drop phrases freely")


def search_messages(node: Node) -> list[Message]:
    """The node's `also:` phrases: searched, never shown, so not part of the publish gate (a
    language without them is still offered; `hotline check` says which nodes lack them)."""
    return [Message(node.id, node.also, _ALSO, node.line)] if node.also else []


def service_messages(service: Service) -> list[Message]:
    out = [Message(service_context(service.id), service.name,
                   "SMS and voice: the service's name; keep its own name recognizable", service.line)]
    if service.hours:
        out.append(Message(service_context(service.id), service.hours,
                           "SMS and voice: when the service answers; short", service.line))
    return out


def flow_messages(flow: Flow) -> list[Message]:
    """Every flow string a resident may receive, in file order."""
    out: list[Message] = []
    for node in flow.nodes.values():
        out.extend(node_messages(node))
    for service in flow.services.values():
        out.extend(service_messages(service))
    return out


def extract_flow(fileobj: IO[bytes], keywords: Iterable[str], comment_tags: Iterable[str],
                 options: dict[str, Any]) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extraction method for flow YAML: msgctxt = node id (or service.<id>)."""
    name = Path(getattr(fileobj, "name", "flow.yaml"))
    text = fileobj.read().decode(options.get("encoding", "utf-8"))
    nodes, services, _problems = load_file(name, text, str(name))
    messages: list[Message] = []
    for node in nodes.values():
        messages.extend(node_messages(node) + search_messages(node))
    for service in services.values():
        messages.extend(service_messages(service))
    for m in messages:
        yield m.line, "pgettext", (m.context, m.text), [m.comment]


__all__ = ["Message", "flow_messages", "search_messages", "extract_flow", "service_context", "SERVICES_FILE"]
