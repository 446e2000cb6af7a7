"""The running line picks up edits without a restart, and never serves a broken one."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT, Texter, Twilio


@pytest.fixture
def edited(tmp_path, make_app):
    flows = shutil.copytree(ROOT / "flows", tmp_path / "flows")
    translations = shutil.copytree(ROOT / "translations", tmp_path / "translations")
    app = make_app(FLOWS=str(flows), TRANSLATIONS=str(translations), RELOAD_INTERVAL=0)
    return app, flows / "main.yaml"


def test_a_good_edit_is_served_on_the_next_message(edited):
    app, main_yaml = edited
    resident = Texter(Twilio(app.test_client()))
    assert "5 Get legal help" in resident.text("hello")
    main_yaml.write_text(main_yaml.read_text().replace("title: Get legal help", "title: Free legal help"))
    assert "5 Free legal help" in resident.text("0")


def test_a_broken_edit_is_logged_and_the_old_flow_keeps_answering(edited, caplog):
    app, main_yaml = edited
    resident = Texter(Twilio(app.test_client()))
    before = resident.text("hello")
    main_yaml.write_text(main_yaml.read_text().replace("options: [ice_door,", "options: [no_such_page, ice_door,"))
    assert resident.text("0") == before
    assert "edit NOT served" in caplog.text
    assert "'no_such_page' points to no node" in caplog.text
    main_yaml.write_text("nodes: [this is: not valid")
    assert resident.text("0") == before
    assert "not valid YAML" in caplog.text


def test_a_session_at_a_removed_node_restarts_at_the_main_menu(edited):
    app, main_yaml = edited
    resident = Texter(Twilio(app.test_client()))
    resident.text("hello")
    resident.text("3")
    assert "warrant" in resident.text("1")   # at ice_door
    text = main_yaml.read_text().replace("options: [ice_door, ", "options: [")
    start, end = text.index("  ice_door:"), text.index("  ice_silent:")
    main_yaml.write_text(text[:start] + text[end:])
    reply = resident.text("*")
    assert "1 Your rights in Chicago" in reply
