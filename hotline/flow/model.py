"""Immutable flow model. Built once by the loader and shared by every request."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from types import MappingProxyType

MENU, PAGE, TRANSFER = "menu", "page", "transfer"
KINDS = (MENU, PAGE, TRANSFER)
START = "main"
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")


@dataclass(frozen=True)
class Service:
    """A place the line sends people to; every number carries its source."""

    id: str
    name: str
    phone: str
    dial: str | None
    hours: str
    source: str
    verified: str
    check: str
    file: str
    line: int
    wording_only: tuple[str, ...] = ()  # fields reworded without changing their meaning
    recheck: str = ""  # the day by which its sources must be checked again


@dataclass(frozen=True)
class Node:
    """One screen of the line: a menu, a page to read, or a transfer to a service."""

    id: str
    kind: str
    title: str
    text: str
    options: tuple[str, ...] = ()
    service: str | None = None
    source: str = ""
    reviewed: str = ""
    recheck: str = ""  # the day by which a page's sources must be checked again
    file: str = ""
    line: int = 0
    also: str = ""  # what residents may write for this node, comma-separated; never shown
    wording_only: tuple[str, ...] = ()  # fields reworded without changing their meaning

    def paragraphs(self) -> list[str]:
        """The text split at blank lines, each paragraph on one line."""
        return [" ".join(p.split()) for p in re.split(r"\n\s*\n", self.text) if p.strip()]


@dataclass(frozen=True)
class Flow:
    """The whole definition: nodes by id and services by id. `version` changes with content."""

    nodes: Mapping[str, Node]
    services: Mapping[str, Service]
    version: str
    start: str = START

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", MappingProxyType(dict(self.nodes)))
        object.__setattr__(self, "services", MappingProxyType(dict(self.services)))

    @cached_property
    def parents(self) -> dict[str, str]:
        """Each node reachable from the main menu -> the menu before it on the shortest way
        there, as a resident would press through (computed once per flow)."""
        parents: dict[str, str] = {}
        queue = [self.start]
        for at in queue:
            for option in self.nodes[at].options:
                if option not in parents and option != self.start:
                    parents[option] = at
                    queue.append(option)
        return parents

    def service_of(self, node: Node) -> Service:
        """The service a transfer connects to (the loader refuses a transfer without one)."""
        if node.service is None:
            raise ValueError(f"{node.id} is not a transfer")
        return self.services[node.service]


class Kind(Enum):
    """What a problem is about, for whoever sorts or filters problems (never their wording)."""

    FLOW = "flow"            # a mistake in the flow files
    YAML = "yaml"            # a file that is not valid YAML: nothing in it was read
    LANGUAGE = "language"    # what residents get in a language; listed before the rest
    FLOW_TEST = "flow test"  # a conversation that no longer goes as written: an effect, listed after causes


@dataclass(frozen=True)
class Problem:
    """A mistake in a flow file, said so that staff can find and fix it."""

    file: str
    line: int
    node: str
    message: str
    severity: str = "error"
    kind: Kind = Kind.FLOW

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        node = f" [{self.node}]" if self.node else ""
        return f"{where}{node}: {self.severity}: {self.message}"


@dataclass
class FlowError(Exception):
    """Loading failed; `problems` says where and why (never a traceback for staff)."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
