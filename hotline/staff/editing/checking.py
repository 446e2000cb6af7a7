"""The check as an editor types: the draft with the fields as typed, through the whole check
(`hotline.check.version.check_files`, advice on), said beside each field; and what the node
costs in every language: SMS pages and segments, WhatsApp length, seconds of speech."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import current_app

from hotline.channels import messaging
from hotline.check.rules import WARNING
from hotline.check.version import check_files
from hotline.check.words import staff_words
from hotline.engine import Reply
from hotline.flow.model import Kind
from hotline.staff import shared
from hotline.store import flowedit
from hotline.store.flowedit import SERVICES
from hotline.store.merge import yaml_blocks


def _field_lines(text: str, key: str) -> list[tuple[str, int, int]]:
    """Each field of entry `key` with its first and last line in the file (1-based)."""
    line = 1
    for k, block in yaml_blocks(text):
        if k == key:
            entry = flowedit.parse_entry(block)
            out, at = [], line + 1
            for part in entry.parts:
                size = part.text.count("\n")
                if part.name:
                    out.append((part.name, at, at + size - 1))
                at += size
            return out
        line += block.count("\n")
    return []


def _named(message: str, values: Mapping[str, object]) -> str:
    """The field a problem said about the whole entry is about: named in it ('title'), or
    holding what it quotes ({helpres})."""
    for name in values:
        if f"'{name}'" in message or f"{name}:" in message:
            return name
    quoted = [q.strip("'") for q in re.findall(r"\{[a-z0-9_]+\}|'[^']+'", message)]
    for name, value in values.items():
        if isinstance(value, str) and any(q and q in value for q in quoted):
            return name
    return ""


def check(files: Mapping[str, bytes], path: str, key: str, values: Mapping[str, object]) -> dict[str, Any]:
    """{problems: [{field, message, warning}], costs: [{lang, name, node, sms pages and
    segments, whatsapp characters, voice seconds}]}; `field` "" when no one field is meant."""
    text = flowedit.edit(files[path].decode("utf-8"), key, values)
    edited = {**files, path: text.encode("utf-8")}
    report = check_files(edited, current_app.config)
    fields = _field_lines(text, key)
    service = path == SERVICES
    nodes = flowedit.leading_to(edited, key, service=True) if service else [key]
    problems = []
    for problem in report.problems:
        if problem.node != key and problem.node not in nodes or (problem.kind == Kind.LANGUAGE and
                                                                 problem.severity == WARNING):
            continue  # what each language still lacks is the translators' queue, not this field's
        field = next((name for name, first, last in fields if problem.node == key and first <= problem.line <= last),
                     "") or (_named(problem.message, values) if problem.node == key else "")
        problems.append({"field": field, "message": staff_words(problem.message), "warning": problem.severity == WARNING,
                         "node": problem.node})
    content = report.content
    costs = []
    if content is not None:
        whatsapp = shared.line().whatsapp
        for cost in report.costs:
            if cost.node not in nodes:
                continue
            chat = messaging.render(content, Reply(node=cost.node, lang=cost.lang), whatsapp)
            costs.append({"node": content.flow.nodes[cost.node].title, "lang": cost.lang,
                          "name": content.locales[cost.lang].name, "pages": len(cost.pages),
                          "segments": cost.segments, "encoding": cost.encoding,
                          "whatsapp": sum(len(m) for m in chat), "whatsapp_messages": len(chat),
                          "seconds": cost.voice_seconds})
    return {"problems": problems, "costs": costs, "loaded": content is not None}
