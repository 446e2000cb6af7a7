"""Text pieces both channels share: a node's text in a language with its phone numbers
filled in, and a service's name, number and hours."""
from __future__ import annotations

import re
from collections.abc import Callable

from hotline.flow.extract import service_context
from hotline.flow.model import PLACEHOLDER, Flow, Node, Service
from hotline.languages.texts import Texts


def fill(text: str, flow: Flow, phone: Callable[[Service], str]) -> str:
    """Replace {service_id} with that service's number as `phone` writes it. A placeholder
    that names no service (a translator's slip) is left as written, never an error."""
    def sub(match: re.Match[str]) -> str:
        service = flow.services.get(match.group(1))
        return phone(service) if service else match.group(0)
    return PLACEHOLDER.sub(sub, text)


def title(texts: Texts, node: Node) -> str:
    return texts.get(node.id, node.title)


def paragraphs(texts: Texts, node: Node) -> list[str]:
    """The node's text in this language, one string per paragraph, whitespace folded."""
    return Node(id=node.id, kind=node.kind, title="", text=texts.get(node.id, node.text)).paragraphs()


def service_name(texts: Texts, service: Service) -> str:
    return texts.get(service_context(service.id), service.name)


def service_hours(texts: Texts, service: Service) -> str:
    return texts.get(service_context(service.id), service.hours) if service.hours else ""
