"""Residents' own words, through the real webhooks: the first text picks the language, a
question reaches its page (or a short list), keywords act only in their language, and
callers are understood by number words, language names and Confidence."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from hotline.channels import gsm, voice
from hotline.channels.render import paragraphs
from hotline.cli import main as cli
from hotline.content import Content
from hotline.engine import Goto, Session, SetLanguage, Unknown, step
from hotline.languages.phrases import KEY_MORE, NOT_UNDERSTOOD, WRONG_LANGUAGE
from hotline.understand import understand
from hotline.understand.evaluate import evaluate, read_examples, total
from hotline.understand.keywords import is_stop
from tests.conftest import Call

DATA = Path(__file__).resolve().parent / "data"
# Content tests: understanding is measured on the shipped flows (their titles and `also:` phrases,
# the labeled sets in tests/data), so a staff edit of those may turn one red.
pytestmark = pytest.mark.content


@pytest.fixture
def content(app) -> Content:
    return app.extensions["hotline"].content


def fold(content: Content, lang: str, text: str) -> str:
    """As the resident receives it: folded into GSM-7 where the language allows."""
    return gsm.fold(text) if content.locales[lang].folds else text


def title(content: Content, lang: str, node: str) -> str:
    return fold(content, lang, content.texts_for(lang).get(node, content.flow.nodes[node].title))


def page_start(content: Content, lang: str, node: str) -> str:
    return fold(content, lang, paragraphs(content.texts_for(lang), content.flow.nodes[node])[0][:30])


# --- the first text picks the language ------------------------------------------------

@pytest.mark.parametrize("text,lang", [
    ("Buenas, alguien me puede orientar?", "es"), ("我想问一下", "zh-Hans"), ("Mwen gen yon pwoblèm", "ht"),
    ("dzien dobry, mam pytanie", "pl"), ("Kumusta po, may tanong ako", "tl"), ("문의드립니다", "ko"),
    ("Доброго дня, маю питання", "uk"), ("bonsoir, j'ai une question", "fr"), ("oi, tudo bem?", "pt"),
])
def test_a_first_text_in_a_language_starts_in_it(resident, content, text, lang):
    reply = resident.text(text)  # the main menu, whose footer says how to change language
    assert f"1 {title(content, lang, 'rights_chicago')}" in reply
    assert "2 Español" not in reply


def test_once_the_master_prepared_the_content_no_worker_builds_an_index(twilio, content, monkeypatch):
    """Gunicorn's pre_fork builds every offered language's understanding in the master, so
    the workers share it and no resident's first free text waits for a build."""
    from hotline.content.live import before_fork
    from hotline.understand import vocabulary
    from tests.conftest import Texter

    before_fork()
    built, build = [], vocabulary.Lexicon._build

    def built_after_the_fork(self, tag: str):
        built.append(tag)
        return build(self, tag)

    monkeypatch.setattr(vocabulary.Lexicon, "_build", built_after_the_fork)
    firsts = {"en": "hello, I need a free lawyer", "es": "Buenas, alguien me puede orientar?", "zh-Hans": "我想问一下",
              "ht": "Mwen gen yon pwoblèm", "pl": "dzien dobry, mam pytanie", "tl": "Kumusta po, may tanong ako",
              "ko": "문의드립니다", "uk": "Доброго дня, маю питання", "fr": "bonsoir, j'ai une question",
              "pt": "oi, tudo bem?", "hi": "मुझे वकील चाहिए", "ar": "أحتاج محامي"}
    assert set(content.offered) <= set(firsts)
    for i, lang in enumerate(content.offered):
        assert Texter(twilio, number=f"+1312555{i:04d}").text(firsts[lang]), lang
    assert built == []


def test_a_wrong_guess_costs_one_text_the_next_sentence_switches(resident, content):
    resident.text("Maria")          # says nothing: the language list
    resident.text("1")              # English, by mistake
    reply = resident.text("necesito un abogado gratis por favor")
    assert title(content, "es", "legal_nijc") in reply or title(content, "es", "legal_help") in reply


# --- words reach the right page ---------------------------------------------------------

@pytest.mark.parametrize("text,lang,node", [
    ("la migra está afuera de mi casa", "es", "ice_door"),
    ("my boyfriend hits me and I am scared to go home", "en", "dv_line"),
    ("ICE ap frape pòt mwen", "ht", "ice_door"),
])
def test_an_urgent_first_text_reaches_its_page_in_its_language(resident, content, text, lang, node):
    reply = resident.text(text)
    assert reply.startswith(page_start(content, lang, node))  # what they asked for comes first
    more = sorted(content.texts_for(lang).keywords(KEY_MORE))[0]
    for _ in range(6):  # then how to change the language, after the page's text
        if fold(content, lang, content.texts_for(lang).phrase(WRONG_LANGUAGE)) in reply:
            break
        reply = resident.text(more)
    else:
        raise AssertionError("no word on how to change the language")


def test_a_question_at_a_menu_reaches_its_page_and_back_leads_to_its_menu(resident, content):
    resident.text("hello")
    reply = resident.text("can the jail hold me for immigration")
    assert page_start(content, "en", "trust_act") in reply
    assert f"1 {title(content, 'en', 'trust_act')}" in resident.text("#")  # its menu, Illinois laws


def test_words_that_fit_two_pages_get_a_short_numbered_list_and_a_number_picks(resident, content):
    resident.text("hello")
    reply = resident.text("ice detainer")
    lines = [line for line in reply.split("\n") if line[:2] in ("1 ", "2 ", "3 ")]
    assert 2 <= len(lines) <= 3 and all(" " in line for line in lines)
    assert content.flow.nodes["main"].text[:20] not in reply  # just the list, not the menu again
    first = lines[0][2:]
    node = next(n for n in content.flow.nodes.values() if n.title == first)
    assert page_start(content, "en", node.id) in resident.text("1") or node.kind != "page"


def test_everyday_words_are_not_a_question(resident, content):
    resident.text("hello")
    assert resident.text("yes please").startswith("Sorry, I did not understand.")


# --- keywords are language-aware ----------------------------------------------------------

def test_hi_on_the_language_list_is_english(resident, content):
    resident.text("?")
    assert f"1 {title(content, 'en', 'rights_chicago')}" in resident.text("Hi")


def tagalog(resident) -> None:
    resident.text("Kumusta")


def test_hindi_from_a_tagalog_resident_means_no_not_hindi(resident, content):
    tagalog(resident)
    reply = resident.text("Hindi")
    assert f"1 {title(content, 'tl', 'rights_chicago')}" in reply
    assert title(content, "hi", "rights_chicago") not in reply


@pytest.mark.parametrize("word", ["basta", "BASTA", "pare"])
def test_basta_and_pare_from_a_tagalog_resident_never_unsubscribe(resident, redis_client, content, word):
    tagalog(resident)
    reply = resident.text(word)
    assert reply and f"1 {title(content, 'tl', 'rights_chicago')}" in reply
    assert redis_client.keys("hl:s:*")


def test_basta_from_a_spanish_resident_and_stop_from_anyone_unsubscribe(resident, redis_client):
    resident.text("hola")
    # Twilio ignores BASTA, so the line confirms it, in Spanish (channels.keywords).
    assert "Ya no recibir" in resident.text("basta") and not redis_client.keys("hl:s:*")
    resident.text("Kumusta")
    assert resident.text("STOP") == "" and not redis_client.keys("hl:s:*")


def test_an_opt_out_word_acts_in_its_own_language_and_before_any_language(content):
    assert is_stop(content, "ALTO", None) and is_stop(content, "СТОП", None) and is_stop(content, "basta", "es")
    assert not is_stop(content, "BASTA", None)  # before any language it may be Tagalog ("just")
    assert not is_stop(content, "basta", "tl") and is_stop(content, "tigil", "tl")
    assert is_stop(content, "quit", "tl") and is_stop(content, "Stop", "zh-Hans")


@pytest.mark.parametrize("lang,word", [("es", "dos"), ("en", "two"), ("zh-Hans", "二"), ("ko", "둘"), ("fr", "deux"),
                                       ("tl", "dalawa"), ("hi", "दो"), ("uk", "два")])
def test_a_number_word_picks_that_option(content, lang, word):
    event = understand(content, Session(lang=lang), word)
    assert event == understand(content, Session(lang=lang), "2")


# --- callers ---------------------------------------------------------------------------------

@pytest.fixture
def call(twilio, content) -> Call:
    return Call(twilio, content)


@pytest.mark.parametrize("said", ["Spanish", "Español", "espanol", "in Spanish please"])
def test_a_caller_names_spanish_in_english_or_in_spanish(call, content, said):
    call.start().say(said)
    assert call.lang == "es"
    assert title(content, "es", "rights_chicago").split()[0] in call.text


def test_a_caller_says_two_in_their_language(call, content):
    digit = str(voice.heard_languages(content, voice.VoiceSettings()).index("es") + 1)
    call.start().press(digit).say("dos")
    heard = call.text
    assert content.texts_for("es").get("illinois_laws", "")[:10] in heard


def test_a_caller_asks_in_a_sentence_and_reaches_the_page(call, content):
    call.start().press("1").say("there are agents knocking at my door")
    assert "Do not open the door" in call.text


def test_a_caller_whose_words_fit_two_pages_hears_just_those_and_presses_one(call, content):
    call.start().press("1").say("ice detainer")
    offers = [say.text for say in call.says]
    assert 2 <= len(offers) <= 4 and offers[0].startswith("For ") and offers[0].endswith("press 1.")
    assert content.flow.nodes["main"].text[:20] not in call.text
    call.press("1")
    assert call.dial is not None or "press" in call.text  # a service is connected, or a page read


def test_a_low_confidence_guess_asks_again_instead_of_acting(call, content):
    call.start().press("1")
    call._post(call.gather, {"SpeechResult": "emergencies", "Confidence": "0.21"})
    assert call.says[0].text == content.texts_for("en").phrase(NOT_UNDERSTOOD)
    call._post(call.gather, {"SpeechResult": "emergencies", "Confidence": "0.83"})
    assert content.flow.nodes["emergencies"].text[:20] in call.text


# --- privacy -----------------------------------------------------------------------------------

def test_a_residents_words_reach_neither_redis_nor_the_log(resident, redis_client, caplog):
    words = "my husband was detained by ICE in Pilsen yesterday"
    resident.text(words)
    resident.text("la migra está afuera de mi casa")
    stored = b"".join(redis_client.dump(k) or b"" for k in redis_client.keys("*"))
    for word in ("husband", "Pilsen", "migra", "casa"):
        assert word.encode() not in stored and word not in caplog.text


# --- the labeled sets hold their floors ------------------------------------------------------

def test_the_labeled_set_meets_the_floors_in_every_language(content):
    scores = evaluate(content, read_examples(DATA / "understand_eval.tsv"))
    assert set(scores) >= set(content.offered)
    for lang, score in scores.items():
        assert score.language_rate >= 0.9, (lang, score.misses)
        assert score.reached_rate >= 0.85, (lang, score.misses)
        assert score.direct_rate >= 0.7, (lang, score.misses)
    assert sum(s.wrong for s in scores.values()) <= 4  # a wrong page stated with confidence is rare


def test_the_held_out_set_meets_the_floors_overall(content):
    scores = evaluate(content, read_examples(DATA / "understand_holdout.tsv"))
    questions = sum(s.questions for s in scores.values())
    assert all(s.language_rate >= 0.9 for s in scores.values())
    assert sum(s.direct + s.listed for s in scores.values()) / questions >= 0.85
    assert sum(s.direct for s in scores.values()) / questions >= 0.7


def test_the_fresh_set_meets_the_issues_figures_and_its_held_out_part_never_states_a_wrong_urgent_page_often(content):
    """The fresh set (issue 20): written without the catalogs, romanized, mixed and long texts
    among them. Its tuned part holds the issue's figures; its held-out part is a floor only
    (README "The labeled sets" has its figures, misses included)."""
    scores = evaluate(content, read_examples(DATA / "understand_fresh.tsv"))
    whole = total(scores)
    assert whole.language_rate >= 0.95 and whole.reached_rate >= 0.9 and whole.urgent_wrong == 0
    for lang in content.offered:
        assert scores[lang].reached_rate >= 0.8, (lang, scores[lang].misses)
    for kind in ("(roman)", "(mixed)", "(trad)", "(spacing)"):
        assert scores[kind].reached_rate >= 0.7, (kind, scores[kind].misses)
    assert whole.direct_rate >= 0.73 and whole.wrong <= 1  # BM25 and the rules alone, as when the model is busy
    held = total(evaluate(content, read_examples(DATA / "understand_fresh_holdout.tsv")))
    assert held.language_rate >= 0.95 and held.reached_rate >= 0.8 and held.urgent_wrong <= 2


def test_with_the_model_the_fresh_set_mostly_reaches_its_page_directly_and_never_a_wrong_urgent_one(monkeypatch, tmp_path):
    """As served, with the model where BM25 is not decisive (the shipped seed's page vectors:
    only pages changed since are computed). README "Sentence embeddings" has these figures."""
    from hotline.content import load_content
    from hotline.understand import embedding

    monkeypatch.setenv("HOTLINE_EMBEDDINGS", "on")
    monkeypatch.setattr(embedding, "_budget", None)  # no share of time as in a worker: every unsure text embedded
    monkeypatch.setattr(embedding, "_model", None)  # opened here, closed after: the suite's tests stay without it
    content = load_content(DATA.parent.parent / "flows", DATA.parent.parent / "translations")  # not the suite's
    assert embedding.compute(content, tmp_path) == []
    scores = evaluate(content, read_examples(DATA / "understand_fresh.tsv"))
    whole = total(scores)
    assert whole.reached_rate >= 0.97 and whole.direct_rate >= 0.84, [m for s in scores.values() for m in s.misses]
    assert whole.urgent_wrong == 0 and whole.wrong <= 2 and whole.wrong_rate <= 0.01
    for lang in content.offered:
        assert scores[lang].reached_rate >= 0.9, (lang, scores[lang].misses)
    held = total(evaluate(content, read_examples(DATA / "understand_fresh_holdout.tsv")))
    assert held.urgent_wrong == 0 and held.wrong_rate <= 0.01 and held.reached_rate >= 0.95  # a floor, never tuned on


def test_the_commands_explain_a_text_and_print_accuracy_per_language(app):
    runner = CliRunner()
    shown = runner.invoke(cli, ["understand", "--lang", "es", "la migra está afuera de mi casa"])
    assert shown.exit_code == 0 and "ice_door" in shown.output and "language: es" in shown.output
    table = runner.invoke(cli, ["understand", "--eval", str(DATA / "understand_fresh.tsv"),
                                "--eval", str(DATA / "understand_fresh_holdout.tsv")])
    assert table.exit_code == 0
    lines = table.output.splitlines()
    assert lines[0].startswith("sentence embeddings: off")  # the suite's setting: BM25 and the rules alone
    assert lines[1] == "understand_fresh.tsv:" and "understand_fresh_holdout.tsv:" in lines
    assert [line.split()[0] for line in lines[3:6]] == ["en", "es", "pl"]
    assert "urgent wrong" in lines[2] and any(line.startswith("(roman)") for line in lines)


# --- staff see it in `hotline check` ---------------------------------------------------------

def test_check_names_shared_phrases_colliding_keywords_and_nodes_without_phrases(content):
    from dataclasses import replace

    from hotline.flow.model import Flow
    from hotline.understand.checks import keyword_collisions, missing_phrases, shared_phrases

    said = [p.message for p in keyword_collisions(content, "translations/locales.yaml", {})]
    assert any("es: keyword 'basta'" in m and "everyday word in tl" in m for m in said)
    assert any("nor on a first text" in m for m in said if "keyword 'basta'" in m)
    nodes = dict(content.flow.nodes)
    nodes["wco"] = replace(nodes["wco"], also=nodes["ice_door"].also)
    nodes["kift_act"] = replace(nodes["kift_act"], also="")
    edited = replace(content, flow=Flow(nodes, content.flow.services, "edited"))
    shared = [p for p in shared_phrases(edited) if p.node in ("wco", "ice_door")]
    assert shared and all(p.severity == "warning" for p in shared)
    assert any(p.node == "kift_act" and "no also: phrases" in p.message for p in missing_phrases(edited))


def test_check_warns_when_the_safety_rules_lose_their_pages(content):
    from dataclasses import replace

    from hotline.flow.model import Flow
    from hotline.understand.checks import urgent_nodes

    assert urgent_nodes(content, "flows") == []
    nodes = dict(content.flow.nodes)
    nodes["emergency_911"] = replace(nodes["emergency_911"], text="Call {e911}.")
    edited = replace(content, flow=Flow(nodes, content.flow.services, "edited"))
    [problem] = urgent_nodes(edited, "flows")
    assert problem.node == "emergency_911" and "{988}" in problem.message and problem.severity == "warning"


def test_a_reload_drops_the_old_contents_indexes():
    import gc
    import weakref

    from hotline.content import load_content
    from hotline.understand.vocabulary import _LEXICONS

    root = DATA.parent.parent
    old = load_content(root / "flows", root / "translations")
    understand(old, None, "la migra está afuera de mi casa")
    assert old in _LEXICONS
    gone = weakref.ref(old)
    del old
    gc.collect()
    assert gone() is None  # the indexes (and anything else) no longer keep it alive


def test_staff_counts_say_how_many_arrived_by_words_and_nothing_of_the_words(resident, redis_client):
    from hotline.storage import stats

    resident.text("hola")
    resident.text("la migra está afuera de mi casa")   # by words
    resident.text("0")
    resident.text("3")
    resident.text("1")                                  # the same page by number
    [key] = redis_client.keys(stats.PREFIX + "*")
    counts = {k.decode(): int(v) for k, v in redis_client.hgetall(key).items()}
    assert counts["reached|sms|es|ice_door"] == 2 and counts["words|sms|es|ice_door"] == 1
    assert not any("migra" in k for k in counts)


def test_the_engine_goes_where_words_lead_with_the_menus_above_as_the_way_back(content):
    from hotline.engine import Choose, Goto, Navigate, Offer

    flow = content.flow
    session, reply = step(flow, None, Goto("ice_door", "es", guessed=True))
    assert (reply.node, reply.lang, reply.notice, session.trail) == ("ice_door", "es", "language", ("main", "ice"))
    assert step(flow, session, Navigate("back"))[1].node == "ice"
    session, reply = step(flow, session, Offer(("ice_silent", "legal_nijc")))
    assert reply.offer == ("ice_silent", "legal_nijc") and reply.node == "ice_door"
    session, reply = step(flow, session, Choose(2))
    assert reply.node == "legal_nijc" and not reply.offer and session.by_words
    assert session.trail == ("main", "legal_help")


_CONTENT: list[Content] = []


def _loaded() -> Content:
    from hotline.content import load_content

    if not _CONTENT:
        _CONTENT.append(load_content(DATA.parent.parent / "flows", DATA.parent.parent / "translations"))
    return _CONTENT[0]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=()), max_size=400),
       st.sampled_from([None, "en", "es", "tl", "zh-Hans", "ar"]))
def test_any_text_at_all_is_understood_or_asked_again_never_an_error(text, lang):
    content = _loaded()
    session = Session(lang=lang) if lang else None
    event = understand(content, session, text)
    understand(content, session, text, spoken=True)
    step(content.flow, session, event)


def test_a_caller_who_arrives_by_words_is_counted_by_words(call, redis_client):
    from hotline.storage import stats

    call.start().press("1").say("there are agents knocking at my door")
    [key] = redis_client.keys(stats.PREFIX + "*")
    counts = {k.decode(): int(v) for k, v in redis_client.hgetall(key).items()}
    assert counts["words|voice|en|ice_door"] == 1 and not any("knocking" in k for k in counts)


# --- urgent situations come first ---------------------------------------------------------------

@pytest.mark.parametrize("text", ["no quiero vivir", "je veux mourir", "quiero hacerme daño, me corto",
                                  "nie chce zyc", "m pa vle viv ankò", "ayoko nang mabuhay", "我想自杀",
                                  "не хочу жить", "죽고 싶어요", "bidi mout", "jeena nahi chahta", "i keep cutting myself",
                                  "je me fais du mal", "quiero morirme", "nada tiene sentido", "nic nie ma sensu",
                                  "活着没有意义", "khud ko nuksan", "لا معنى للحياة", "anyen pa gen sans",
                                  "nada faz sentido", "нічого не має сенсу", "walang saysay ang buhay", "사라지고 싶어요"])
def test_crisis_words_in_any_language_reach_988_and_911(content, text):
    from hotline.understand.evaluate import where

    lang, node, offer = where(content, None, text)
    assert node and not offer
    said = content.texts_for(lang).get(node, content.flow.nodes[node].text)
    assert "{988}" in said and "{e911}" in said  # both numbers, whatever the language


@pytest.mark.parametrize("lang", [None, "en", "es", "zh-Hans", "ar"])
def test_a_text_of_just_911_gets_the_emergency_page(content, lang):
    from hotline.understand.evaluate import where

    session = Session(lang=lang, node="ice_door") if lang else None
    _, node, offer = where(content, session, " 911 ")
    assert node == "emergency_911" and not offer
    assert understand(content, session or Session(lang="en", node="ice_door"), "912") == Unknown()
    choosing = Session()  # the language list is on screen
    assert understand(content, choosing, "911") == Goto("emergency_911", "en", True)
    assert understand(content, choosing, "2") == SetLanguage(content.offered[1])


@pytest.mark.parametrize("text", ["auxilio", "socorro", "au secours", "anmwe", "ratunku", "saklolo", "救命", "살려주세요"])
def test_a_cry_for_help_reaches_911(resident, text):
    assert "911" in resident.text(text)


@pytest.mark.parametrize("lang,text", [("es", "ICE en mi casa"), ("ht", "kote mari m"), ("uk", "где мой муж"),
                                       ("hi", "ICE darwaze par"), ("ar", "ice 3al bab"), ("zh-Hans", "門口有ICE")])
def test_residents_words_for_an_urgent_situation_reach_its_page(content, lang, text):
    from hotline.understand.evaluate import where

    _, node, offer = where(content, Session(lang=lang, node=content.flow.start), text)
    assert {node, *offer} & {"ice_door", "ice_detained", "legal_icirr"}


def test_a_page_that_gives_a_hotlines_number_is_no_list_with_that_hotline_and_no_page_is_listed_twice(content):
    from hotline.understand.evaluate import where

    start = content.flow.start
    _, node, offer = where(content, Session(lang="en", node=start),
                           "my brother got picked up by immigration yesterday and we cant find him")
    assert node == "ice_detained" and not offer  # not a list of it and the ICIRR hotline its first lines give
    assert "{icirr}" in content.flow.nodes[node].paragraphs()[0]
    _, _, offer = where(content, Session(lang="ht", node=start), "m ap blese tèt mwen")  # crisis and 911 named
    assert set(offer) == {"emergency_911", "crisis_988"} and len(offer) == 2


def test_a_text_about_something_the_line_has_no_page_for_states_no_page(content):
    from hotline.understand.evaluate import where

    for lang, text in [("en", "how do i renew my passport"), ("es", "quiero sacar la licencia de manejar"),
                       ("pt", "quero tirar carteira de motorista"), ("es", "como saco mi pasaporte mexicano"),
                       ("ko", "여권 갱신 어떻게 해요"), ("uk", "де отримати водійські права")]:
        _, node, offer = where(content, Session(lang=lang, node=content.flow.start), text)
        assert offer or node == content.flow.start, (lang, text, node)


def test_traditional_chinese_is_read_as_simplified_keywords_and_questions(content):
    from hotline.engine import Goto, Navigate
    from hotline.understand.evaluate import where

    session = Session(lang="zh-Hans", node="ice_door")
    assert understand(content, session, "幫助") == understand(content, session, "帮助") == Navigate("help")
    _, node, offer = where(content, Session(lang="zh-Hans", node=content.flow.start), "我先生被移民局抓走了")
    assert {node, *offer} & {"ice_detained", "legal_icirr", "ice_lawyer"}
    assert understand(content, None, "移民局在敲門，怎麼辦") == Goto("ice_door", "zh-Hans", True)


def test_a_caller_in_crisis_hears_988_and_911(call):
    call.start().press("1").say("i keep thinking about ending it all, i want to kill myself")
    assert "call 9 1 1" in call.text and "call 9 8 8" in call.text  # numbers are read digit by digit
