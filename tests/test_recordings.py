"""Recorded prompts for a language without a Twilio voice (Haitian Creole here): the script
a speaker reads has no raw {placeholders}, and a recording older than its text is flagged."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import Result

from hotline.flow.model import PLACEHOLDER
from tests.conftest import SMALL, hotline as cli


@pytest.fixture
def line(tmp_path) -> Path:
    """A copy of the small line, with a folder of recordings."""
    shutil.copytree(SMALL, tmp_path, dirs_exist_ok=True)
    (tmp_path / "recordings").mkdir()
    return tmp_path


def hotline(line: Path, *args: str, **env: str) -> Result:
    return cli(line, *args, HOTLINE_RECORDINGS=str(line / "recordings"), **env)


def record_everything(line: Path) -> dict[str, str]:
    """A speaker records every prompt of the script."""
    script = dict(row.split(": ", 1) for row in hotline(line, "voices", "--script", "ht").output.splitlines())
    for name in script:
        path = line / "recordings" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"ID3")
    return script


def test_the_script_has_no_raw_placeholders_and_says_the_numbers(line):
    script = record_everything(line)
    assert script and not any(PLACEHOLDER.search(text) for text in script.values())
    assert "9 1 1" in script["ht/main.mp3"]


def test_a_recording_older_than_its_text_is_flagged(line):
    record_everything(line)
    result = hotline(line, "voices", "--recorded", "ht")
    assert result.exit_code == 0 and "noted what" in result.output
    env = {"HOTLINE_RECORDINGS_URL": "https://media.example.org/prompts"}
    assert "recording(s) say an earlier text" not in hotline(line, "check", **env).output
    assert hotline(line, "voices", "--script", "ht").output == ""

    main_yaml = line / "flows/main.yaml"  # English changes: Haitian Creole now says it in English
    main_yaml.write_text(main_yaml.read_text().replace("at work. Choose a topic.", "at work; choose a topic."))
    output = hotline(line, "check", **env).output
    assert "ht: 1 recording(s) say an earlier text: at_work.mp3; record them again" in output
    assert "ht/at_work.mp3: " in hotline(line, "voices", "--script", "ht").output


def test_warnings_name_the_setting_as_it_is_set(line):
    output = hotline(line, "check").output
    assert "HOTLINE_RECORDINGS_URL is unset" in output and " RECORDINGS_URL is unset" not in output
