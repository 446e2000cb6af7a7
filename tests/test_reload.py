"""The running line picks up edits without a restart, and never serves a broken one: an
edit is swapped in only when `hotline check` finds no error (its flow tests included).
Each test looks at the source at once (`poll`, what each process's loader thread does
every RELOAD_INTERVAL) instead of waiting for the thread."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import SMALL, Texter, Twilio


@pytest.fixture
def edited(line, make_app):
    app = make_app(FLOWS=str(line / "flows"), TRANSLATIONS=str(line / "translations"), RELOAD_INTERVAL=3600)
    return app, line / "flows"


def looked(app) -> None:
    app.extensions["hotline"].live.poll()


def texting(app) -> Texter:
    texter = Texter(Twilio(app.test_client()))
    texter.text("hello")
    return texter


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
    looked(app)
    assert "312-660-1300" in legal_nijc(resident)


def test_a_broken_edit_is_logged_and_the_old_flow_keeps_answering(edited, caplog):
    app, flows = edited
    main_yaml = flows / "main.yaml"
    resident = Texter(Twilio(app.test_client()))
    before = resident.text("hello")
    main_yaml.write_text(main_yaml.read_text().replace("options: [ice_door,", "options: [no_such_page, ice_door,"))
    looked(app)
    assert resident.text("0") == before
    assert "edit not served" in caplog.text
    assert "'no_such_page' points to no node" in caplog.text
    main_yaml.write_text("nodes: [this is: not valid")
    looked(app)
    assert resident.text("0") == before
    assert "not valid YAML" in caplog.text


def test_an_edit_that_fails_a_flow_test_is_not_served(edited, caplog):
    app, flows = edited
    main_yaml = flows / "main.yaml"
    resident = Texter(Twilio(app.test_client()))
    before = resident.text("hello")
    # The English flow tests still expect the old title: the edit waits until they are updated.
    main_yaml.write_text(main_yaml.read_text().replace("title: Get legal help", "title: Free legal help"))
    looked(app)
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
    looked(app)
    reply = resident.text("*")
    assert reply != at_door
    assert reply == Texter(Twilio(app.test_client()), number="+17735550100").text("hola")


def test_every_process_serves_the_last_good_version_while_the_disk_is_broken(edited, make_app):
    """Two processes of one instance: one accepts a good edit; the file is then broken; the
    other (a worker restarted meanwhile, or one that had not looked yet) serves the edit the
    first accepted, not its own older version, and a process started now serves it too."""
    first, flows = edited
    config = {"FLOWS": str(flows), "TRANSLATIONS": first.config["TRANSLATIONS"], "RELOAD_INTERVAL": 3600}
    second = make_app(**config)
    services = flows / "services.yaml"  # staff correct a number (the flow tests name it by service)
    services.write_text(services.read_text().replace("312-660-1370", "312-660-1300").replace("+13126601370", "+13126601300"))
    looked(first)
    assert "312-660-1300" in legal_nijc(texting(first))
    (flows / "main.yaml").write_text("nodes: [half saved")
    looked(second)
    assert "312-660-1300" in legal_nijc(texting(second))
    third = make_app(**config)
    assert "312-660-1300" in legal_nijc(texting(third))


def test_with_no_good_version_anywhere_the_line_says_why_it_cannot_start(tmp_path, make_app):
    flows = shutil.copytree(SMALL / "flows", tmp_path / "broken")
    (flows / "main.yaml").write_text("nodes: [half saved")
    with pytest.raises(SystemExit, match="The line cannot start.*hotline check"):
        make_app(FLOWS=str(flows))
