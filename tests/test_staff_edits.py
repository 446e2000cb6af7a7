"""Staff edits: a sentence fixed without taking languages off the line (each string falls
back on its own), placeholders checked per translation, phone and dial that must agree,
YAML mistakes explained, and the draft tried on the staff pages before it is live. What a
resident receives is read through the signed webhooks; what staff see, from `hotline check`
and the staff pages. Expected translations are read from the catalogs, so the tests hold
whatever they say."""
from __future__ import annotations

from pathlib import Path

import pytest

from hotline.channels import gsm, voice
from hotline.languages.locales import catalog_path, read_locales
from hotline.languages.po import read_po_file, write_po_file
from tests.conftest import Call, Texter, Twilio, hotline

STAFF = "staff-token-for-tests-0123456789"
BEARER = {"Authorization": f"Bearer {STAFF}"}
OLD = "Stay calm. Choose a topic."
NEW = "Stay calm and choose a topic."


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def translation(line: Path, tag: str, context: str, start: str = "") -> str:
    """The catalog's translation of the entry of `context` whose English starts with `start`."""
    catalog = read_po_file(catalog_path(line / "translations", tag))
    return next(m.string for m in catalog if m.context == context and m.id.startswith(start) and m.string)


def plain(text: str) -> str:
    """As matched in a reply: folded as SMS may fold it, up to its first {placeholder}."""
    return " ".join(gsm.fold(text.split("{")[0]).split())


def retranslate(line: Path, tag: str, context: str, start: str, old: str, new: str) -> str:
    """Change one translation as a translator would, through Babel; returns the English."""
    path = catalog_path(line / "translations", tag)
    catalog = read_po_file(path)
    entry = next(m for m in catalog if m.context == context and m.id.startswith(start) and m.string)
    assert old in entry.string
    entry.string = entry.string.replace(old, new)
    write_po_file(path, catalog)
    return entry.id


# One English sentence edited -----------------------------------------------------------

def test_one_english_edit_passes_the_check_and_names_what_falls_back_per_language(line):
    replace_in(line / "flows/main.yaml", OLD, NEW)
    result = hotline(line, "check")
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[1]  # causes first: the first warning is about a language
    assert "1 string changed in English is not translated yet: ice, text (residents get 1 in English)" in first
    for tag in read_locales(line / "translations"):
        if tag != "en":
            assert f"warning: {tag}: 1 string changed in English is not translated yet: ice, text" in result.output
    assert "wording_only: true" in result.output  # the hint says what staff can do


def test_the_running_line_swaps_the_edit_in_and_keeps_every_language(line, make_app):
    app = make_app(FLOWS=str(line / "flows"), TRANSLATIONS=str(line / "translations"), RELOAD_INTERVAL=3600)
    client = app.test_client()
    languages = client.get("/healthz").json["languages"]
    polish = Texter(Twilio(client))
    polish.text("dzień dobry")
    before = polish.text("3")
    assert NEW not in before

    replace_in(line / "flows/main.yaml", OLD, NEW)
    app.extensions["hotline"].live.poll()  # what the loader thread does within RELOAD_INTERVAL
    after = polish.text("*")
    assert NEW in after  # the correction is live at the next look, in English
    health = client.get("/healthz").json
    assert health["languages"] == languages and len(languages) == 12
    assert health["fallback"] == {t: {"english": 1, "older": 0, "broken": 0} for t in languages if t != "en"}
    # Polish everywhere else: the options of the same menu, and the main menu.
    door = translation(line, "pl", "ice_door")
    assert plain(door) in plain(after)
    assert plain(translation(line, "pl", "main", "Information")) in plain(polish.text("0"))


def test_a_caller_hears_the_changed_sentence_in_the_english_voice_and_the_rest_in_polish(line, make_app):
    replace_in(line / "flows/main.yaml", OLD, NEW)
    app = make_app(FLOWS=str(line / "flows"), TRANSLATIONS=str(line / "translations"))
    content = app.extensions["hotline"].content
    english, polish = content.locales["en"], content.locales["pl"]
    call = Call(Twilio(app.test_client()), content).start()
    call.press(str(voice.heard_languages(content, voice.VoiceSettings()).index("pl") + 1)).press("3")
    voices = {say.text: (say.get("language"), say.get("voice")) for say in call.says}
    assert voices[next(t for t in voices if NEW in t)] == (english.say_language, english.voice)
    door = next(t for t in voices if plain(translation(line, "pl", "ice_door")) in plain(t))
    assert voices[door] == (polish.say_language, polish.voice)


def test_wording_only_serves_the_translation_of_the_earlier_english(line, make_app):
    main_yaml = line / "flows/main.yaml"
    replace_in(main_yaml, OLD, NEW)
    replace_in(main_yaml, "    type: menu\n    title: If ICE comes\n", "    type: menu\n    wording_only: text\n    title: If ICE comes\n")
    assert "residents get 1 in English" in hotline(line, "check").output  # until the catalogs name the earlier English
    assert hotline(line, "i18n", "extract").exit_code == 0 and hotline(line, "i18n", "update").exit_code == 0
    result = hotline(line, "check")
    assert result.exit_code == 0, result.output
    assert ("pl: 1 string changed in English is not translated yet: ice, text (residents get 1 in the "
            "translation of the earlier English (wording_only))") in result.output
    assert "warn  flows/tests/ice_es.yaml" not in result.output  # the Spanish test passes as before

    app = make_app(FLOWS=str(line / "flows"), TRANSLATIONS=str(line / "translations"))
    polish = Texter(Twilio(app.test_client()))
    polish.text("dzień dobry")
    reply = polish.text("3")
    assert plain(translation(line, "pl", "ice", "Immigration agents may be")) in plain(reply)
    assert NEW not in reply
    assert app.test_client().get("/healthz").json["fallback"]["pl"] == {"english": 0, "older": 1, "broken": 0}


def test_a_wording_only_mark_no_longer_needed_is_named(line):
    main_yaml = line / "flows/main.yaml"
    replace_in(main_yaml, "    type: menu\n    title: If ICE comes\n", "    type: menu\n    wording_only: text\n    title: If ICE comes\n")
    at = next(n for n, row in enumerate(main_yaml.read_text().splitlines(), 1) if row == "  ice:")
    result = hotline(line, "check")
    assert result.exit_code == 0
    assert f"flows/main.yaml:{at} [ice]: warning: wording_only is no longer needed" in result.output


def test_after_i18n_update_the_earlier_english_is_kept_for_translators(line):
    replace_in(line / "flows/main.yaml", OLD, NEW)
    assert hotline(line, "i18n", "extract").exit_code == 0
    assert hotline(line, "i18n", "update", "--lang", "pl").exit_code == 0
    po = catalog_path(line / "translations", "pl")
    entry = next(m for m in read_po_file(po) if m.context == "ice" and NEW in m.id)
    assert entry.fuzzy and OLD in entry.previous_id[0]
    text = po.read_text(encoding="utf-8")
    assert "#| msgid " in text and "#: flows/main.yaml\n" in text  # no line numbers to churn
    result = hotline(line, "check")
    assert result.exit_code == 0 and "pl: 1 string changed in English is not translated yet: ice, text" in result.output


def test_a_language_leaves_the_line_only_when_staff_say_so(line, make_app):
    replace_in(line / "translations/locales.yaml", "fr:\n", "fr:\n  offered: no\n")
    app = make_app(FLOWS=str(line / "flows"), TRANSLATIONS=str(line / "translations"), STAFF_TOKEN=STAFF)
    client = app.test_client()
    assert "fr" not in client.get("/healthz").json["languages"]
    assert "Français" not in Texter(Twilio(client)).text("bonjour")
    assert "fr: not offered to residents ('offered: no' in locales.yaml)" in hotline(line, "check").output
    # Staff can still try it before putting it on the line.
    assert "Français, not offered to residents" in client.get("/staff/", headers=BEARER).get_data(as_text=True)
    answer = client.post("/staff/simulate", headers=BEARER, json={"channel": "sms", "lang": "fr", "input": None}).json
    assert plain(translation(line, "fr", "main", "Information")) in plain(answer["replies"][0]["text"])


# Placeholders ----------------------------------------------------------------------------

@pytest.mark.parametrize("typo", ["{e91}", "{c311}"])
def test_a_placeholder_typo_fails_the_check_and_is_never_served(line, make_app, typo):
    retranslate(line, "es", "main", "Information", "{e911}", typo)
    result = hotline(line, "check")
    assert result.exit_code == 1
    assert f"es: the translation of main, text lacks {{e911}}; has {typo}, which the English does not" in result.output
    assert result.output.index(typo) < result.output.index("flow test")  # the cause before its effects

    app = make_app(FLOWS=str(line / "flows"), TRANSLATIONS=str(line / "translations"))
    reply = Texter(Twilio(app.test_client())).text("hola")
    assert "911" in reply and typo not in reply and "311" not in reply.split("\n\n")[0]
    assert app.test_client().get("/healthz").json["fallback"]["es"]["broken"] == 1


# Phone and dial --------------------------------------------------------------------------

def test_phone_changed_without_dial_fails_naming_the_service_and_both_numbers(line):
    services = line / "flows/services.yaml"
    replace_in(services, "phone: 312-660-1370", "phone: 312-660-1371")
    result = hotline(line, "check")
    assert result.exit_code == 1
    assert ("[nijc]: error: phone 312-660-1371 and dial +13126601370 are different numbers" in result.output)


def test_phone_and_dial_changed_together_pass_without_editing_a_flow_test(line):
    services = line / "flows/services.yaml"
    replace_in(services, "phone: 312-660-1370", "phone: 312-660-1371")
    replace_in(services, 'dial: "+13126601370"', 'dial: "+13126601371"')
    result = hotline(line, "check")
    assert result.exit_code == 0, result.output


def test_a_malformed_dial_fails(line):
    replace_in(line / "flows/services.yaml", 'dial: "+13126601370"', 'dial: "+1312660137"')
    result = hotline(line, "check")
    assert result.exit_code == 1 and "[nijc]: error: dial '+1312660137' is not a full number" in result.output


def test_a_flow_test_naming_an_unknown_service_fails(line):
    (line / "flows/tests/typo.yaml").write_text('steps:\n  - send: hello\n    expect: ["{icir}"]\n')
    assert "{icir} names no service in services.yaml" in hotline(line, "check").output


# YAML mistakes, explained ----------------------------------------------------------------

@pytest.mark.parametrize(("old", "new", "words"), [
    ("    title: If ICE comes\n", "\ttitle: If ICE comes\n", "a tab character"),
    ("    title: If ICE comes\n", "    title: If ICE comes: what to do\n", "a colon followed by a space"),
    ("    title: If ICE comes\n", "     title: If ICE comes\n", "indentation"),
])
def test_yaml_mistakes_are_explained_with_the_line_to_fix(line, old, new, words):
    main_yaml = line / "flows/main.yaml"
    replace_in(main_yaml, old, new)
    at = next(n for n, row in enumerate(main_yaml.read_text().splitlines(), 1) if row == new.rstrip("\n"))
    result = hotline(line, "check")
    assert result.exit_code == 1
    assert f"flows/main.yaml:{at}: error: not valid YAML: {words}" in result.output
    assert f"line {at}: " in result.output
    assert "there is no 'main' node" not in result.output


# What staff see on the staff pages -------------------------------------------------------

def test_the_problems_page_shows_what_each_language_gets(line, make_app):
    replace_in(line / "flows/main.yaml", OLD, NEW)
    app = make_app(FLOWS=str(line / "flows"), TRANSLATIONS=str(line / "translations"), STAFF_TOKEN=STAFF)
    page = app.test_client().get("/staff/check", headers=BEARER).get_data(as_text=True)
    assert "pl: 1 string changed in English is not translated yet: ice, text" in page
    total = app.extensions["hotline"].content.coverage["pl"].total
    assert f'<tr data-lang="pl"><td><span lang="pl">Polski</span> <code>pl</code></td><td>{total - 1} of {total}</td>' \
           '<td>0</td><td>1</td>' in page.replace("\n      ", "")
    hints = page[page.index("<h2>What to do</h2>"):page.index("<h2>Languages</h2>")]
    assert "in Translate" in hints and "tick “Only the wording changed”" in hints  # where to click
    assert "hotline " not in hints and "wording_only" not in hints  # no command, no file's key


def test_a_number_change_in_the_draft_is_listed_with_both_numbers(line, make_app):
    app = make_app(FLOWS=str(line / "flows"), TRANSLATIONS=str(line / "translations"), STAFF_TOKEN=STAFF,
                   RELOAD_INTERVAL=3600)
    services = line / "flows/services.yaml"
    replace_in(services, "phone: 312-660-1370", "phone: 312-660-1371")
    page = app.test_client().get("/staff/?version=draft", headers=BEARER).get_data(as_text=True)
    assert "The files on disk do not load, so there is no draft to try" in page
    assert "phone 312-660-1371 and dial +13126601370 are different numbers" in page
    replace_in(services, 'dial: "+13126601370"', 'dial: "+13126601371"')
    page = app.test_client().get("/staff/?version=draft", headers=BEARER).get_data(as_text=True)
    assert "Draft:</strong> you are trying the files as they are" in page
    assert "phone 312-660-1370 → 312-660-1371" in page
    client, turn = app.test_client(), {"channel": "sms", "lang": "en", "session": None, "version": "draft"}
    session = client.post("/staff/simulate", headers=BEARER, json={**turn, "input": None}).json["session"]
    for key in ("5", "2"):
        answer = client.post("/staff/simulate", headers=BEARER, json={**turn, "session": session, "input": key}).json
        session = answer["session"]
    assert answer["node"] == "legal_nijc" and "312-660-1371" in answer["replies"][0]["text"]
    live = Texter(Twilio(client))
    live.text("hello")
    live.text("5")
    assert "312-660-1370" in live.text("2")  # residents still get the live number


def test_a_yaml_mistake_in_locales_yaml_is_explained(line):
    replace_in(line / "translations/locales.yaml", "  speech: es-US\n  sms: fold\n", "  speech: es-US\n\tsms: fold\n")
    result = hotline(line, "check")
    assert result.exit_code == 1 and "translations/locales.yaml:" in result.output
    assert "cannot read the languages: not valid YAML: a tab character" in result.output


def test_what_the_draft_changes_is_said_plainly(line):
    from hotline.content import load_content
    from hotline.staff.preview import changes

    live = load_content(line / "flows", line / "translations")
    replace_in(line / "translations/locales.yaml", "fr:\n", "fr:\n  offered: no\n")
    retranslate(line, "pl", "ice_door", "", "ICE", "ICE (agenci)")
    replace_in(line / "flows/main.yaml", "title: If ICE comes", "title: When ICE comes")
    said = [c.what for c in changes(live, load_content(line / "flows", line / "translations"))]
    assert "'When ICE comes': title changed" in said
    assert "Français (fr) taken off the line" in said
    assert "Polski (pl): 1 translation(s) edited" in said
