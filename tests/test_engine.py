"""The engine on plain data: no Flask, no Redis, no Twilio."""
from __future__ import annotations

from hotline.engine import (
    BACK,
    HELP,
    HOME,
    LANGUAGE,
    MORE,
    REPEAT,
    Choose,
    Goto,
    Navigate,
    Offer,
    Reply,
    Session,
    SetLanguage,
    Start,
    Unknown,
    step,
)
from hotline.flow.model import Flow, Node


def flow() -> Flow:
    nodes = {
        "main": Node("main", "menu", "Main", "Hello", options=("a", "b")),
        "a": Node("a", "menu", "A", "Menu A", options=("a1",)),
        "a1": Node("a1", "page", "A1", "Page A1", source="law"),
        "b": Node("b", "page", "B", "Page B", source="law"),
    }
    return Flow(nodes=nodes, services={}, version="t")


def test_start_without_a_language_asks_for_one():
    session, reply = step(flow(), None, Start())
    assert reply == Reply(node=None, lang=None)
    session, reply = step(flow(), session, SetLanguage("es"))
    assert (reply.node, reply.lang) == ("main", "es")


def test_choices_back_home_and_trail():
    f = flow()
    s, _ = step(f, None, Start("en"))
    s, r = step(f, s, Choose(1))
    assert r.node == "a" and s.trail == ("main",)
    s, r = step(f, s, Choose(1))
    assert r.node == "a1" and s.trail == ("main", "a")
    s, r = step(f, s, Navigate(BACK))
    assert r.node == "a"
    s, r = step(f, s, Navigate(HOME))
    assert r.node == "main" and s.trail == ()
    s, r = step(f, s, Navigate(BACK))
    assert r.node == "main"


def test_out_of_range_and_unknown_count_misses_and_stay():
    f = flow()
    s, _ = step(f, None, Start("en"))
    s, r = step(f, s, Choose(7))
    assert (r.node, r.notice, r.misses) == ("main", "unknown", 1)
    s, r = step(f, s, Unknown(silence=True))
    assert (r.notice, r.misses) == ("silence", 2)
    s, r = step(f, s, Navigate(REPEAT))
    assert (r.node, r.misses, r.notice) == ("main", 0, None)


def test_help_more_and_language():
    f = flow()
    s, _ = step(f, None, Start("en"))
    s, r = step(f, s, Navigate(HELP))
    assert r.notice == "help" and r.node == "main"
    s, r = step(f, s, Navigate(MORE))
    assert r.page == 1
    s, r = step(f, s, Navigate(LANGUAGE))
    assert r.node is None and s.lang is None


def test_a_session_at_a_removed_node_restarts_at_main_in_its_language():
    s, r = step(flow(), Session(lang="pl", node="gone", trail=("main", "gone")), Navigate(REPEAT))
    assert (r.node, r.lang) == ("main", "pl") and s.trail == ()


def test_choose_on_a_page_is_unknown():
    f = flow()
    s, _ = step(f, None, Start("en"))
    s, _ = step(f, s, Choose(2))
    s, r = step(f, s, Choose(1))
    assert (r.node, r.notice) == ("b", "unknown")


def test_more_and_repeat_page_the_reply_that_was_sent_with_its_notice():
    """A page reached by words carries the language hint before its text: MORE and REPEAT
    keep paging that same reply, so nothing the hint pushed on is skipped."""
    f = flow()
    s, r = step(f, None, Goto("a1", lang="es", guessed=True))
    assert (r.node, r.notice, r.page) == ("a1", "language", 0)
    s, r = step(f, s, Navigate(MORE))
    assert (r.node, r.notice, r.page) == ("a1", "language", 1)
    s, r = step(f, s, Navigate(REPEAT))
    assert (r.notice, r.page) == ("language", 1)
    s, r = step(f, s, Navigate(HELP))
    assert (r.notice, r.page) == ("help", 0)
    s, r = step(f, s, Navigate(MORE))
    assert (r.notice, r.page) == ("help", 1)
    s, r = step(f, s, Navigate(BACK))
    assert (r.node, r.notice, r.page) == ("a", None, 0)


def test_an_offered_list_stays_through_more():
    f = flow()
    s, r = step(f, None, Offer(("a1", "b"), lang="en"))
    s, r = step(f, s, Navigate(MORE))
    assert r.offer == ("a1", "b")
    s, r = step(f, s, Choose(2))
    assert r.node == "b"
