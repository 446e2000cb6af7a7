"""The running line picks up edits without a restart, and never serves a broken one: an
edit is swapped in only when `hotline check` finds no error (its flow tests included)."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT, Texter, Twilio


@pytest.fixture
def edited(tmp_path, make_app):
    flows = shutil.copytree(ROOT / "flows", tmp_path / "flows")
    translations = shutil.copytree(ROOT / "translations", tmp_path / "translations")
    app = make_app(FLOWS=str(flows), TRANSLATIONS=str(translations), RELOAD_INTERVAL=0)
    return app, flows


def legal_nijc(resident: Texter) -> str:
    resident.text("0")
    resident.text("5")
    return resident.text("2")


def test_a_good_edit_is_served_on_the_next_message(edited):
    app, flows = edited
    resident = Texter(Twilio(app.test_client()))
    resident.text("hello")
    assert "312-660-1370" in legal_nijc(resident)
    # staff correct a number, and the conversations that check it
    for path in [flows / "services.yaml", *(flows / "tests").glob("*.yaml")]:
        path.write_text(path.read_text().replace("312-660-1370", "312-660-1300").replace("+13126601370", "+13126601300")
                        .replace("1 3 7 0", "1 3 0 0"))
    assert "312-660-1300" in legal_nijc(resident)


def test_a_broken_edit_is_logged_and_the_old_flow_keeps_answering(edited, caplog):
    app, flows = edited
    main_yaml = flows / "main.yaml"
    resident = Texter(Twilio(app.test_client()))
    before = resident.text("hello")
    main_yaml.write_text(main_yaml.read_text().replace("options: [ice_door,", "options: [no_such_page, ice_door,"))
    assert resident.text("0") == before
    assert "edit NOT served" in caplog.text
    assert "'no_such_page' points to no node" in caplog.text
    main_yaml.write_text("nodes: [this is: not valid")
    assert resident.text("0") == before
    assert "not valid YAML" in caplog.text


def test_an_edit_that_fails_a_flow_test_is_not_served(edited, caplog):
    app, flows = edited
    main_yaml = flows / "main.yaml"
    resident = Texter(Twilio(app.test_client()))
    before = resident.text("hello")
    # English changes: the Spanish entry turns stale, so the Spanish flow tests fail and
    # Spanish residents keep the version their language is complete in.
    main_yaml.write_text(main_yaml.read_text().replace("title: Get legal help", "title: Free legal help"))
    assert resident.text("0") == before
    assert "flow test" in caplog.text


def test_a_session_at_a_removed_node_restarts_at_the_main_menu(edited):
    app, flows = edited
    main_yaml = flows / "main.yaml"
    resident = Texter(Twilio(app.test_client()))
    resident.text("hola")
    resident.text("3")
    at_door = resident.text("1")
    shutil.rmtree(flows / "tests")  # staff retire the page and the tests that walk to it
    text = main_yaml.read_text().replace("options: [ice_door, ", "options: [")
    start, end = text.index("  ice_door:"), text.index("  ice_silent:")
    main_yaml.write_text(text[:start] + text[end:])
    reply = resident.text("*")
    assert reply != at_door
    assert reply == Texter(Twilio(app.test_client()), number="+17735550100").text("hola")
