"""The engine on plain data (no Flask, no Redis, no Twilio), its cases written as data in
tests/data/engine_cases.yaml: each case's steps run in order, and every event, every
navigation and every node kind has at least one case."""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from hotline.engine import (
    Action,
    Choose,
    Event,
    Goto,
    Navigate,
    Notice,
    Offer,
    Session,
    SetLanguage,
    Start,
    Unknown,
    step,
)
from hotline.flow.model import KINDS, Flow, Node

CASES = yaml.safe_load((Path(__file__).parent / "data" / "engine_cases.yaml").read_text(encoding="utf-8"))
FLOW = Flow(nodes={name: Node(name, node["kind"], name.upper(), f"About {name}", options=tuple(node.get("options", ())))
                   for name, node in CASES["flow"].items()}, services={}, version="cases")


WORDS = {"start": Start(), "unknown": Unknown(), "silence": Unknown(silence=True)}
WITH_VALUE = {"start": lambda v: Start(**v), "choose": Choose, "set_language": SetLanguage,
              "navigate": lambda v: Navigate(Action(v))}


def read(written: str | dict[str, Any]) -> Event:
    """An event as a case writes it (`goto` and `offer` carry their settings beside the node)."""
    if isinstance(written, str):
        return WORDS[written]
    settings = dict(written)
    if "goto" in settings:
        return Goto(settings.pop("goto"), **settings)
    if "offer" in settings:
        return Offer(tuple(settings.pop("offer")), **settings)
    [(name, value)] = settings.items()
    return WITH_VALUE[name](value)


def comparable(value: Any) -> Any:
    """A value as a case writes it: lists for tuples, strings for notices."""
    if isinstance(value, tuple):
        return list(value)
    return value.value if isinstance(value, Notice) else value


def differences(got: object, expected: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    names = {f.name for f in fields(got)}  # type: ignore[arg-type]
    assert set(expected) <= names, f"no such field: {set(expected) - names}"
    return {name: (comparable(getattr(got, name)), want) for name, want in expected.items()
            if comparable(getattr(got, name)) != want}


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_case(case):
    session = Session(**case["session"]) if "session" in case else None
    for number, taken in enumerate(case["steps"], 1):
        session, reply = step(FLOW, session, read(taken["event"]))
        wrong = {**differences(reply, taken.get("reply", {})),
                 **{f"session.{k}": v for k, v in differences(session, taken.get("session", {})).items()}}
        assert not wrong, f"step {number}, {taken['event']}: (got, expected) {wrong}"


def test_every_event_navigation_and_node_kind_has_a_case():
    events: set[str] = set()
    kinds: set[str] = set()
    for case in CASES["cases"]:
        session = Session(**case["session"]) if "session" in case else None
        for taken in case["steps"]:
            happened = read(taken["event"])
            events.add(f"Navigate {happened.action}" if isinstance(happened, Navigate) else type(happened).__name__)
            if session is not None and session.node in FLOW.nodes and not session.choosing_language:
                kinds.add(FLOW.nodes[session.node].kind)
            session, _ = step(FLOW, session, happened)
    every = {t.__name__ for t in get_args(Event) if t is not Navigate} | {f"Navigate {a}" for a in Action}
    assert every - events == set(), "events without a case"
    assert set(KINDS) - kinds == set(), "node kinds no step is taken at"
