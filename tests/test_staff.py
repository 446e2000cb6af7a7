"""The staff pages: off without a token, closed without it, and with it a simulator that
gives exactly what residents get (the same channel functions) without touching Redis, one
node in every language, the flow picture, counts that hide small numbers, the check report."""
from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest

from hotline import config
from hotline.channels import gsm, voice
from hotline.channels.render import paragraphs, title
from hotline.check import version as check
from hotline.check.report import as_text
from hotline.check.words import for_staff, staff_words
from hotline.content import Content
from hotline.flow.model import Flow, Node
from hotline.staff.looking.counts import BAR, chart
from hotline.storage import stats
from tests.conftest import Call, Texter, Twilio
from tests.staff_forms import csrf
from tests.store_fixtures import shipped

STAFF = "staff-token-for-tests-0123456789"
BEARER = {"Authorization": f"Bearer {STAFF}"}


@pytest.fixture
def staff_app(make_app):
    return make_app(STAFF_TOKEN=STAFF)


@pytest.fixture
def staff(staff_app):
    """A client that sends the token with every request."""
    client = staff_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = BEARER["Authorization"]
    return client


@pytest.fixture
def content(staff_app) -> Content:
    return staff_app.extensions["hotline"].content


def simulate(client, channel: str, inputs: list[str | None], lang: str | None = None) -> list[dict]:
    """Every answer of one simulated conversation; `None` starts it."""
    answers, session = [], None
    for text in inputs:
        response = client.post("/staff/simulate", json={"channel": channel, "lang": lang, "session": session,
                                                         "input": text})
        assert response.status_code == 200, response.data
        answers.append(response.get_json())
        session = answers[-1]["session"]
    return answers


def sms_text(content: Content, tag: str, node_id: str) -> str:
    """The first paragraph of a node as the SMS channel writes it in this language."""
    first = paragraphs(content.texts_for(tag), content.flow.nodes[node_id])[0]
    return gsm.fold(first) if content.locales[tag].folds else first


def test_off_without_a_token(make_app):
    client = make_app().test_client()
    for path in ("/staff/", "/staff/login", "/staff/static/staff.css", "/staff/node/main", "/staff/counts"):
        assert client.get(path, headers=BEARER).status_code == 404, path
    assert client.post("/staff/simulate", json={"channel": "sms"}, headers=BEARER).status_code == 404


def test_closed_without_the_token(staff_app, caplog):
    client = staff_app.test_client()
    assert client.get("/staff/").status_code == 401
    assert client.get("/staff/").headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/staff/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/staff/simulate", json={"channel": "sms", "input": "hola"}).status_code == 401
    browser = client.get("/staff/node/wco", headers={"Accept": "text/html"})
    assert browser.status_code == 302 and browser.headers["Location"].endswith("/staff/login")
    assert client.get("/staff/login").status_code == 200
    assert client.get("/staff/", headers=BEARER).status_code == 200

    caplog.set_level(logging.DEBUG)
    assert client.post("/staff/login", data={"token": STAFF + "x"}).status_code == 401
    assert client.get("/staff/").status_code == 401
    signed_in = client.post("/staff/login", data={"token": STAFF})
    assert signed_in.status_code == 302
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie and STAFF not in cookie
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/counts").status_code == 200
    assert all(STAFF not in r.getMessage() for r in caplog.records)

    client.set_cookie("hotline_staff", cookie.split(";")[0].split("=", 1)[1] + "x", path="/staff")
    assert client.get("/staff/").status_code == 401  # a forged cookie
    client.post("/staff/login", data={"token": STAFF})
    client.post("/staff/logout", data={"csrf_token": csrf(client)})
    assert client.get("/staff/").status_code == 401


def test_cookie_from_an_old_token_is_refused(make_app):
    client = make_app(STAFF_TOKEN=STAFF).test_client()
    client.post("/staff/login", data={"token": STAFF})
    cookie = client.get_cookie("hotline_staff", path="/staff")
    other = make_app(STAFF_TOKEN=STAFF + "-rotated").test_client()
    other.set_cookie("hotline_staff", cookie.value, path="/staff")
    assert other.get("/staff/").status_code == 401


def test_spanish_sms_to_a_page_under_a_menu(staff, content):
    rights = content.flow.nodes["at_work"]
    menu, topic, page = simulate(staff, "sms", [None, "4", "1"], lang="es")
    assert menu["lang"] == "es" and menu["node"] == "main"
    assert topic["node"] == "at_work" and page["node"] == "wages"
    assert title(content.texts_for("es"), rights) in menu["replies"][0]["text"]
    [reply] = page["replies"]
    assert reply["text"].startswith(sms_text(content, "es", "wages"))
    assert reply["text"] != sms_text(content, "en", "wages")
    assert reply["encoding"] == gsm.encoding(reply["text"]) == gsm.GSM7
    assert reply["segments"] == gsm.segments(reply["text"]) and reply["characters"] == len(reply["text"])


def test_sms_gives_what_a_texting_resident_gets(staff, staff_app):
    resident = Texter(Twilio(staff_app.test_client()))
    inputs = ["hola", "1", "1", "MAS", "#", "3", "0", "STOP"]
    received = [resident.text(t) for t in inputs]
    simulated = simulate(staff, "sms", inputs)
    assert ["\n".join(r["text"] for r in a["replies"]) for a in simulated] == received
    assert simulated[-1]["session"] is None and simulated[-1]["stopped"]


def test_voice_in_spanish(staff, content):
    locale = content.locales["es"]
    call, _, page = simulate(staff, "voice", [None, "4", "1"], lang="es")
    said = [p for p in call["prompts"] if "text" in p]
    assert said and all((p["language"], p["voice"]) == (locale.say_language, locale.voice) for p in said)
    assert call["listen"] == {"speech": locale.speech_language}
    assert page["node"] == "wages" and {"pause": 1} in page["prompts"]
    first = paragraphs(content.texts_for("es"), content.flow.nodes["wages"])[0]
    assert page["prompts"][0] == {"text": first, "language": locale.say_language, "voice": locale.voice}


def test_voice_gives_what_a_caller_hears(staff, staff_app, content):
    """The same keys through the webhooks Twilio calls and through the simulator."""
    digit = str(voice.heard_languages(content, staff_app.extensions["hotline"].voice).index("es") + 1)
    keys = [digit, "4", "1", "*", "#", "0", "3"]
    call = Call(Twilio(staff_app.test_client()), content).start()
    heard = [[s.text for s in call.root.iter("Say")]]
    for key in keys:
        if call.root.find("Dial") is not None:
            break
        call.press(key)
        heard.append([s.text for s in call.root.iter("Say")])
    simulated = simulate(staff, "voice", [None, *keys])
    assert [[p["text"] for p in a["prompts"] if "text" in p] for a in simulated[:-1]] == heard[:-1]
    transfer = simulated[-1]["prompts"]
    dialed = [p["dial"] for p in transfer if "dial" in p]
    assert dialed == [content.flow.services[content.flow.nodes["talk"].service].dial]
    assert [p["text"] for p in transfer if "text" in p][:len(heard[-1])] == heard[-1]
    assert simulated[-1]["listen"]  # not answered (simulated): back at the menu, listening


def test_silence_and_the_end_of_a_call(staff):
    start, silent = simulate(staff, "voice", [None, ""])
    assert start["node"] is None and silent["listen"]  # the language choice, asked again
    *_, offer, ended = simulate(staff, "voice", [None, "9", "9", "9", ""], lang="en")
    assert offer["listen"] and ended["listen"] is None and ended["session"] is None  # three misses: goodbye
    again = staff.post("/staff/simulate", json={"channel": "voice", "session": None, "input": "1"}).get_json()
    assert again["listen"] and again["node"] is None  # a key after the end: a new call


def test_12_is_the_words_12_as_in_the_simulator_and_the_flow_tests(staff):
    """One input syntax (hotline.simulate): one key is a keypress, every other line words."""
    words, said, key = (simulate(staff, "voice", [None, line], lang="en")[-1] for line in ("12", "say: 12", "1"))
    assert words == said and words["node"] == "main" != key["node"]


def test_bad_requests(staff):
    for body in ({"channel": "fax"}, {"channel": "sms", "lang": "xx"}, {"channel": "voice", "lang": "ht"},
                 {"channel": "sms", "input": 5}, ["sms"]):
        assert staff.post("/staff/simulate", json=body).status_code == 400, body
    assert staff.post("/staff/simulate", data="channel=sms").status_code == 400
    odd = staff.post("/staff/simulate", json={"channel": "voice", "session": "es.No-Such.0.0", "input": "1"})
    assert odd.get_json()["node"] is None  # a state it does not accept: a new call


def test_the_simulator_writes_nothing_to_redis(staff, redis_client):
    redis_client.flushdb()
    assert staff.get("/staff/").status_code == 200
    simulate(staff, "sms", ["hola", "1", "1", "MAS", "STOP"])
    simulate(staff, "sms", [None, "4", "2"], lang="es")
    simulate(staff, "voice", [None, "2", "4", "1", "", "0", "3"])
    assert redis_client.keys("*") == []


def test_simulator_needs_no_redis(make_app):
    """Redis down: the simulator still answers; the counts say they are unavailable."""
    client = make_app(STAFF_TOKEN=STAFF, REDIS_URL="redis://127.0.0.1:1/0", REDIS_TIMEOUT=0.2).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = BEARER["Authorization"]
    assert simulate(client, "sms", ["hola", "4"])[-1]["node"] == "at_work"
    assert simulate(client, "voice", [None, "4"], lang="es")[-1]["node"] == "at_work"
    down = client.get("/staff/counts")
    assert down.status_code == 503 and "Redis does not answer" in down.get_data(as_text=True)
    assert client.get("/staff/counts.csv").status_code == 503


def test_simulator_page(staff, content):
    page = staff.get("/staff/").get_data(as_text=True)
    assert 'id="sim"' in page and "staff.js" in page
    for tag in content.offered:
        assert f'value="{tag}"' in page
    with staff.get("/staff/static/staff.js") as script:  # a file sent as it is: closed after
        assert script.status_code == 200
    assert "script-src 'self'" in staff.get("/staff/").headers["Content-Security-Policy"]


def test_node_in_every_language(staff, staff_app, content):
    page = staff.get("/staff/node/wages").get_data(as_text=True)
    heard = voice.heard_languages(content, staff_app.extensions["hotline"].voice)
    for tag in content.offered:
        texts = content.texts_for(tag)
        assert f'id="lang-{tag}"' in page and content.locales[tag].name in page
        assert _html(title(texts, content.flow.nodes["wages"])) in page
        assert _html(paragraphs(texts, content.flow.nodes["wages"])[0]) in page
    es = page[page.index('id="lang-es"'):page.index('id="lang-pl"')]
    assert "SMS: offered" in es and content.locales["es"].voice in es and "GSM-7" in es
    assert re.search(r"\d+ segments", es)
    assert 'dir="rtl"' in page  # Arabic
    unheard = [t for t in content.offered if t not in heard]
    for tag in unheard:
        block = page[page.index(f'id="lang-{tag}"'):]
        assert "Voice: not offered" in block[:block.index("</p>")]
    assert staff.get("/staff/node/nowhere").status_code == 404


def test_flow_picture(staff, content, monkeypatch):
    page = staff.get("/staff/flow").get_data(as_text=True)
    if "<svg" not in page:
        pytest.skip("Graphviz `dot` not installed: apt-get install graphviz")
    assert "<?xml" not in page and "/staff/node/wages" in page
    monkeypatch.setattr("hotline.staff.graph.shutil.which", lambda name: None)
    fallback = staff.get("/staff/flow").get_data(as_text=True)
    assert "<svg" not in fallback and "flowchart LR" in fallback and "apt-get install graphviz" in fallback
    assert "mermaid.js" not in fallback and "<script" not in fallback.replace("staff.js", "")


def test_counts_hide_small_numbers(staff, staff_app, content):
    twilio = Twilio(staff_app.test_client())
    for i in range(6):  # six read the help line page in English
        r = Texter(twilio, number=f"+1312555{i:04d}")
        r.text("hello"), r.text("2")
    for i in range(3):  # three reach rights at work in Spanish
        r = Texter(twilio, number=f"+1773555{i:04d}")
        r.text("hola"), r.text("4")
    page = staff.get("/staff/counts").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page
    legal = page[page.index(f">{content.flow.nodes['at_work'].title}<"):]
    assert "&lt;5" in legal[:400] and ">3<" not in legal[:400]
    assert ">6<" in page  # the help line page
    spanish = staff.get("/staff/counts?lang=es").get_data(as_text=True)
    assert "&lt;5" in spanish and ">6<" not in spanish
    assert "No conversations" in staff.get("/staff/counts?channel=voice").get_data(as_text=True)
    csv_out = staff.get("/staff/counts.csv?lang=es")
    assert csv_out.mimetype == "text/csv" and "attachment" in csv_out.headers["Content-Disposition"]
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f"{today},sms,es,at_work,<5,<5" in csv_out.get_data(as_text=True)
    assert ",en," not in csv_out.get_data(as_text=True)


def test_chart_draws_small_counts_alike():
    rows = [stats.Row("2026-11-20", "sms", "es", "main", 1, 0), stats.Row("2026-11-21", "sms", "es", "main", 3, 4),
            stats.Row("2026-11-21", "sms", "es", "wco", 20, 2)]
    flow = Flow({n: Node(n, "page", n.title(), "x") for n in ("main", "wco")}, {}, "v")
    main, wco = chart(flow, rows)
    assert (main.reached, main.left, wco.reached, wco.left) == ("<5", "<5", "20", "<5")
    assert main.reached_width == main.left_width == wco.left_width == round(BAR * stats.SMALL / 20)
    assert wco.reached_width == BAR


def test_check_report(staff, staff_app):
    cfg = staff_app.config
    report = check.run(Path(cfg["FLOWS"]), Path(cfg["TRANSLATIONS"]), cfg)
    page = staff.get("/staff/check").get_data(as_text=True)
    assert f"{len(report.errors)} error" in page
    for problem in report.problems:
        assert _html(staff_words(problem.message)) in page


def test_staff_read_the_checks_words_without_file_names_and_programmers_keep_file_and_line():
    files = shipped()
    files["flows/main.yaml"] = files["flows/main.yaml"].replace(b"    service: helpers\n", b"    service: helper\n").replace(
        b"    reviewed: 2026-12-01\n", b"    reviewed: 2026-12-01\n    recheck: 2026-01-01\n    wording_only: text\n", 1)
    report = check.check_files(files, config.read())
    printed = as_text(report)
    assert "flows/main.yaml:" in printed and "services.yaml" in printed and "recheck: 2026-01-01" in printed
    said = for_staff(report.problems, report.content)
    assert "talk: service 'helper' is not in the list of services" in said  # the flow does not load: ids
    assert any(line.startswith("rights: “Check again by: 2026-01-01” has passed") for line in said), said
    assert not [line for line in said if re.search(r"\.yaml|\.md\b|fold_traps|wording_only|recheck:|hotline ", line)]


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")
