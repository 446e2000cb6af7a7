"""What callers hear stays byte for byte the same: every node of the small fixture flow, in
every language, after each kind of turn (a new call, a repeat, words not understood,
silence, back and home, the offer of a person and its answers, a transfer not answered),
rendered to TwiML and compared with the TwiML captured in tests/data/voice_twiml.json
before the voice turn became a value. `python -m tests.test_voice_twiml` rewrites it, for
a change that means to alter what callers hear."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from hotline.channels import calls, voice
from hotline.content import Content, load_content
from hotline.engine import Session

SMALL = Path(__file__).parent / "data" / "small"
GOLDEN = Path(__file__).parent / "data" / "voice_twiml.json"
BASE = "https://line.example.org"
KEYS = frozenset("0123456789*#")


def recorded(content: Content) -> voice.VoiceSettings:
    """Settings under which every language without a voice has all its recordings."""
    keys = {t: frozenset(voice.recording_script(content, t)) for t in content.locales
            if not content.locales[t].say_language}
    return voice.VoiceSettings(base_url=BASE, person_node="talk", recordings_url=f"{BASE}/rec", recorded=keys)


def rendered(content: Content, settings: voice.VoiceSettings, person: str) -> Iterator[tuple[str, str]]:
    """(what was done, the TwiML answered) for every node and heard language."""
    settings = replace(settings, person_node=person)
    heard = voice.heard_languages(content, settings)
    yield "start", voice.start(content, settings).twiml
    for page in range(len(voice._pages(heard))):
        state = calls.encode(calls.Call(Session(lang=None, node=content.flow.start, page=page)))
        for said in ("*", voice.MORE_KEY, "", "zzz qqq"):
            yield f"choose/{page}/{said}", voice.answer(content, settings, state, *_input(said)).twiml
    for tag in heard:
        yield f"{tag}/start", voice.start(content, settings, tag).twiml
        for nid, node in content.flow.nodes.items():
            at = Session(lang=tag, node=nid, trail=(content.flow.start,) if nid != content.flow.start else ())
            for said in ("*", "#", "0", "", "zzz qqq"):
                yield f"{tag}/{nid}/{said}", voice.answer(content, settings, calls.encode(calls.Call(at)), *_input(said)).twiml
            near = calls.encode(calls.Call(replace(at, misses=calls.MAX_MISSES - 1)))
            yield f"{tag}/{nid}/offer", voice.answer(content, settings, near, "", "zzz qqq").twiml
            last = calls.encode(calls.Call(at, person_offered=True))
            for said in (voice.PERSON_KEY, "2"):
                yield f"{tag}/{nid}/person/{said}", voice.answer(content, settings, last, said, "").twiml
            for status in ("no-answer", "completed"):
                yield f"{tag}/{nid}/dialed/{status}", voice.dialed(content, settings, calls.encode(calls.Call(at)), status).twiml
                yield f"{tag}/{nid}/dialed-last/{status}", voice.dialed(content, settings, last, status).twiml
            if node.options[1:]:
                listed = calls.encode(calls.Call(replace(at, offer=node.options[:2])))
                yield f"{tag}/{nid}/list", voice.answer(content, settings, listed, "*", "").twiml


def _input(said: str) -> tuple[str, str]:
    return (said, "") if said in KEYS else ("", said)


def golden() -> dict[str, str]:
    content = load_content(SMALL / "flows", SMALL / "translations")
    return dict(rendered(content, recorded(content), "talk"))


def test_every_node_in_every_language_sounds_as_it_did():
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = golden()
    assert now.keys() == expected.keys()
    changed = [k for k in now if now[k] != expected[k]]
    assert not changed, f"{len(changed)} answers changed, first {changed[0]}:\n{now[changed[0]]}\nwas\n{expected[changed[0]]}"


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(golden(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
