"""Residents on WhatsApp, through POST /sms as Twilio posts WhatsApp messages (signed,
`From: whatsapp:+1...`, with ProfileName and WaId): full Unicode, whole pages up to 1,600
characters, *bold* titles, a confirmation for every opt-out, counts of their own."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from click.testing import CliRunner

from hotline.channels.render import paragraphs, title
from hotline.cli import main
from hotline.content import Content
from hotline.languages.phrases import HELP, STOPPED
from tests.conftest import NUMBER, SMALL, WHATSAPP, Texter, Twilio, whatsapp_params

STAFF = "staff-token-for-whatsapp-0123456789"
# (language, first text, its opt-out word): English, Spanish, and three other scripts.
LANGUAGES = [("en", "hello", "STOP"), ("es", "hola", "STOP"), ("uk", "привіт", "СТОП"),
             ("ar", "مرحبا", "توقف"), ("zh-Hans", "你好", "退订")]


@pytest.fixture
def content(app) -> Content:
    return app.extensions["hotline"].content


def written(content: Content, tag: str, node_id: str) -> list[str]:
    """A node's paragraphs in a language exactly as written, accents and all, numbers filled."""
    flow = content.flow
    return [re.sub(r"\{(\w+)\}", lambda m: flow.services[m.group(1)].phone, p)
            for p in paragraphs(content.texts_for(tag), flow.nodes[node_id])]


def test_a_spanish_conversation_keeps_its_accents_reads_whole_pages_and_confirms_stop(
        whatsapper, resident, content, redis_client):
    spanish = content.texts_for("es")
    menu = whatsapper.text("hola")
    assert menu.startswith(f"*{title(spanish, content.flow.nodes['main'])}*\n\n")  # *Menú principal*
    assert written(content, "es", "main")[0] in menu and "Información" in menu
    assert f"4 {title(spanish, content.flow.nodes['at_work'])}" in menu

    whatsapper.text("4")
    received = len(whatsapper.received)
    page = whatsapper.text("1")  # Unpaid wages: six paragraphs
    assert len(whatsapper.received) == received + 1 and len(page) <= 1600  # one message
    assert f"*{title(spanish, content.flow.nodes['wages'])}*" in page
    for paragraph in written(content, "es", "wages"):
        assert paragraph in page
    assert "(1/" not in page  # no "Responda MÁS": nothing to page

    resident.text("hola"), resident.text("4")
    assert "(1/" in resident.text("1")  # the same page by SMS comes in pages

    confirmation = whatsapper.text("STOP")  # Twilio does not confirm on WhatsApp: the line does
    assert confirmation == spanish.phrase(STOPPED) and "recibirá" in confirmation and "línea" in confirmation
    assert len(redis_client.keys("hl:s:*")) == 1  # the SMS conversation is still there


@pytest.mark.parametrize("tag,greeting,stop", LANGUAGES)
def test_in_each_script_the_text_arrives_as_written_and_stop_is_confirmed(twilio, content, redis_client,
                                                                          tag, greeting, stop):
    whatsapper = Texter(twilio, number=WHATSAPP, params=whatsapp_params)
    texts = content.texts_for(tag)
    menu = whatsapper.text(greeting)
    assert f"*{title(texts, content.flow.nodes['main'])}*" in menu
    assert written(content, tag, "main")[0] in menu
    whatsapper.text("4")
    page = whatsapper.text("1")
    assert all(p in page for p in written(content, tag, "wages")) and len(page) <= 1600
    assert "MORE" not in page
    assert whatsapper.text(stop) == texts.phrase(STOPPED)
    assert not redis_client.keys("hl:s:*")


@pytest.mark.parametrize("word", ["STOP", "REVOKE", "optout", "Unsubscribe", "ALTO"])
def test_every_opt_out_word_is_confirmed_on_whatsapp(whatsapper, content, redis_client, word):
    whatsapper.text("hello")
    assert whatsapper.text(word) == content.texts_for("en" if word != "ALTO" else "es").phrase(STOPPED)
    assert not redis_client.keys("hl:s:*")


def test_help_describes_the_line_and_start_keeps_the_language(whatsapper, content):
    assert content.texts_for("en").phrase(HELP) in whatsapper.text("HELP")
    assert content.texts_for("es").phrase(HELP) in whatsapper.text("AYUDA")
    whatsapper.text("4")
    menu = whatsapper.text("START")
    assert f"*{title(content.texts_for('es'), content.flow.nodes['main'])}*" in menu


def test_advanced_opt_out_on_whatsapp_means_twilio_has_answered(whatsapper, redis_client):
    whatsapper.text("hola")
    assert whatsapper.text("BAJA", OptOutType="STOP") == ""
    assert not redis_client.keys("hl:s:*")


def test_whatsapp_and_sms_from_the_same_phone_are_separate_conversations(twilio, content):
    by_sms = Texter(twilio, number=NUMBER)
    on_whatsapp = Texter(twilio, number=f"whatsapp:{NUMBER}", params=whatsapp_params)
    on_whatsapp.text("hola")
    assert "1 English" in by_sms.text("1")  # SMS knows nothing of the WhatsApp conversation
    assert f"*{title(content.texts_for('es'), content.flow.nodes['rights'])}*" in on_whatsapp.text("1")


def test_a_page_past_1600_characters_is_paged_with_more(tmp_path, make_app):
    # The edit leaves the other languages' catalogs behind, so their flow tests would stop
    # the line from starting: this copy has none.
    flows = shutil.copytree(SMALL / "flows", tmp_path / "flows", ignore=shutil.ignore_patterns("tests"))
    main_yaml = flows / "main.yaml"
    long = " ".join(f"Sentence {i} of a long page about unpaid wages." for i in range(60))  # ~2,900 characters
    text = main_yaml.read_text()
    start = text.index("      Your employer must pay you")
    end = text.index("    source:", start)
    main_yaml.write_text(text[:start] + f"      {long}\n\n      The last paragraph.\n" + text[end:])
    whatsapper = Texter(Twilio(make_app(FLOWS=str(flows)).test_client()), number=WHATSAPP, params=whatsapp_params)
    whatsapper.text("hello"), whatsapper.text("4")
    pages = [whatsapper.text("1")]
    while "Reply MORE" in pages[-1]:
        pages.append(whatsapper.text("MORE"))
        assert len(pages) < 5
    assert len(pages) == 2 and all(len(p) <= 1600 for p in pages)
    assert pages[0].startswith("*Unpaid wages*") and "(1/2) Reply MORE to read on." in pages[0]
    assert "The last paragraph." in pages[1] and pages[1].endswith("#: back. 0: main menu.")
    whole = " ".join(pages)
    assert all(f"Sentence {i} " in whole for i in range(60))


def test_counts_show_whatsapp_as_its_own_channel(make_app, redis_url, monkeypatch):
    app = make_app(STAFF_TOKEN=STAFF)
    twilio = Twilio(app.test_client())
    for i in range(6):
        resident = Texter(twilio, number=f"whatsapp:+1773555{i:04d}", params=whatsapp_params)
        resident.text("hola"), resident.text("4")
    by_sms = Texter(twilio)
    by_sms.text("hello"), by_sms.text("1")
    today = dt.datetime.now(dt.UTC).date().isoformat()

    monkeypatch.setenv("REDIS_URL", redis_url)
    out = CliRunner().invoke(main, ["stats", "--days", "1"]).output
    assert re.search(rf"{today}\s+whatsapp\s+es\s+at_work\s+6\s+6", out), out
    assert "conversations by channel: sms <5, whatsapp 6, voice 0" in out
    assert f"{today},whatsapp,es,at_work,6,6" in CliRunner().invoke(main, ["stats", "--csv"]).output

    staff = app.test_client()
    staff.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {STAFF}"
    page = staff.get("/staff/counts").get_data(as_text=True)
    assert re.search(r"<th scope=\"row\">WhatsApp</th><td>6</td>", page)
    assert re.search(r"<th scope=\"row\">Text messages</th><td>&lt;5</td>", page)
    assert '<option value="whatsapp"' in page
    only = staff.get("/staff/counts?channel=whatsapp").get_data(as_text=True)
    assert 'href="/staff/node/at_work"' in only and 'href="/staff/node/main"' in only
    assert 'href="/staff/node/rights"' not in only  # reached by SMS only


def test_the_staff_simulator_has_a_whatsapp_mode(make_app, redis_client):
    staff = make_app(STAFF_TOKEN=STAFF).test_client()
    staff.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {STAFF}"
    answer = staff.post("/staff/simulate", json={"channel": "whatsapp", "lang": None, "session": None,
                                                 "input": "hola"}).get_json()
    reply = answer["replies"][0]
    assert reply["text"].startswith("*Menú principal*") and "segments" not in reply
    assert reply["characters"] == len(reply["text"])
    stop = staff.post("/staff/simulate", json={"channel": "whatsapp", "session": answer["session"],
                                               "input": "STOP"}).get_json()
    assert stop["stopped"] and "recibirá" in stop["replies"][0]["text"]
    assert not redis_client.keys("*")
    assert b"whatsapp" in staff.get("/staff/").data


def test_simulate_on_whatsapp_prints_what_the_resident_reads():
    result = CliRunner().invoke(main, ["simulate", "--channel", "whatsapp"], input="hola\n1\n1\nSTOP\n")
    assert result.exit_code == 0, result.output
    assert "--- WhatsApp, one message" in result.output and "*Menú principal*" in result.output
    assert "Ya no recibirá mensajes de esta línea." in result.output


def test_metrics_count_whatsapp_apart(make_app):
    app = make_app(METRICS_TOKEN="metrics-token-for-whatsapp-0123")
    Texter(Twilio(app.test_client()), number=WHATSAPP, params=whatsapp_params).text("hola")
    body = app.test_client().get("/metrics", headers={"Authorization": "Bearer metrics-token-for-whatsapp-0123"})
    assert re.search(r'hotline_requests_total\{channel="whatsapp",outcome="answered"\} [1-9]', body.get_data(as_text=True))


@pytest.mark.parametrize("lang,first", [("es", "hola"), ("uk", "привіт"), ("ar", "مرحبا")])
def test_a_photo_or_voice_note_without_words_is_told_the_line_reads_text(whatsapper, content, lang, first):
    from hotline.languages.phrases import MEDIA, NOT_UNDERSTOOD

    whatsapper.text(first)
    texts = content.texts_for(lang)
    reply = whatsapper.text("", NumMedia="1", MediaContentType0="audio/ogg")
    assert texts.phrase(MEDIA) in reply and texts.phrase(NOT_UNDERSTOOD) not in reply
    assert title(texts, content.flow.nodes["talk"]) in reply  # how to reach a person, on the menu
