"""One driver, one input syntax: `hotline simulate`, "Try the line" and the flow tests read a
caller's typed line the same way, so "12" is the words "12" in each, never key 1."""
from __future__ import annotations

from click.testing import CliRunner

from hotline import simulate
from hotline.channels import voice
from hotline.check import flowtests
from hotline.cli import main as cli
from hotline.content import load_content
from tests.test_voice_twiml import SMALL


def test_one_key_is_a_keypress_and_every_other_line_is_words():
    assert [simulate.call_input(line) for line in ("1", " # ", "*", "", "12", "say: 12", "SAY: 1", "help me")] == [
        ("1", ""), ("#", ""), ("*", ""), ("", ""), ("", "12"), ("", "12"), ("", "1"), ("", "help me")]


def _after_input(output: str) -> str:
    return output.split("\n> ", 1)[1].split("\n", 1)[1]


def test_12_is_the_words_12_in_the_simulator(monkeypatch):
    monkeypatch.setenv("HOTLINE_FLOWS", str(SMALL / "flows"))
    monkeypatch.setenv("HOTLINE_TRANSLATIONS", str(SMALL / "translations"))
    said = {line: CliRunner().invoke(cli, ["simulate", "--channel", "voice", "--lang", "en"], input=f"{line}\n")
            for line in ("12", "say: 12", "1")}
    assert all(r.exit_code == 0 for r in said.values()), [r.output for r in said.values()]
    assert _after_input(said["12"].output) == _after_input(said["say: 12"].output)
    assert _after_input(said["12"].output) != _after_input(said["1"].output)  # key 1: the first option


def test_12_is_the_words_12_in_a_flow_test():
    content = load_content(SMALL / "flows", SMALL / "translations")
    heard = {line: list(flowtests._voice_replies(content, [flowtests.Step("1", (), (), 1),
                                                           flowtests.Step(line, (), (), 2)]))[-1]
             for line in ("12", "say: 12", "1")}  # English first, then the line
    assert heard["12"] == heard["say: 12"] != heard["1"]
    first = simulate.call_turn(content, voice.VoiceSettings(), None, None)
    assert heard["12"][0] == simulate.call_turn(content, voice.VoiceSettings(),
                                                simulate.call_turn(content, voice.VoiceSettings(),
                                                                   first.state, "1").state, "say: 12").text
