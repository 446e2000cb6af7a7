"""The translator's workspace (/staff/translate): the queue per language on the small fixture
flow (what is missing, what changed in English, drafts, what waits for review), and the pages
as translators, reviewers, editors and publishers use them, against a real store (SQLite)."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from hotline import config
from hotline.languages.comments import Review
from hotline.languages.entries import catalog_state
from hotline.languages.po import po_bytes, read_po_bytes
from hotline.languages.workflow import sign
from hotline.staff.translating import glossary, pages as translating, queue
from hotline.store import open_store, rules
from hotline.store.files import files_from_dirs
from tests.store_fixtures import shipped
from tests.translating_fixtures import NEW, OLD, english_changed, polish, translated

PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parents[1]


# The queue -----------------------------------------------------------------------------

def test_an_untranslated_language_queues_every_string_as_missing():
    q = queue.build(shipped(), "pl")
    assert q.counts[queue.TO_TRANSLATE] == len(q.items) > 0
    assert {i.where for i in q.items} >= {"Main menu: title", "Help line: text", "Your rights: text"}


def test_a_changed_english_shows_the_old_and_new_english_and_the_earlier_translation():
    q = queue.build(english_changed(translated()), "pl")
    changed = q.section(queue.TO_UPDATE)
    assert [(i.where, i.older, i.english, i.earlier) for i in changed] == [
        ("Help line: text", OLD, NEW, polish(OLD))]
    assert not q.section(queue.TO_TRANSLATE)
    assert q.counts[queue.UNREVIEWED] == len(q.items) - 1


def test_a_review_moves_a_string_out_of_the_unreviewed_and_an_edit_voids_it():
    files = translated()
    catalog = read_po_bytes(files[queue.catalog_file("pl")])
    key = ("rights", "Your rights")
    sign(catalog, Review("ula@line.org", "2026-12-07"), keys=[key])
    files[queue.catalog_file("pl")] = po_bytes(catalog)
    q = queue.build(files, "pl")
    assert [(i.key, i.review) for i in q.section(queue.REVIEWED)] == [(key, Review("ula@line.org", "2026-12-07"))]
    message = catalog.get(key[1], context=key[0])
    message.string = "Twoje prawa"
    files[queue.catalog_file("pl")] = po_bytes(catalog)
    item = queue.build(files, "pl").find(queue.string_id(key))
    assert item is not None and item.state == queue.UNREVIEWED and item.voided


def test_a_machine_draft_is_queued_as_a_draft_and_never_served():
    files = translated()
    catalog = read_po_bytes(files[queue.catalog_file("pl")])
    message = catalog.get("Your rights", context="rights")
    message.flags.add("fuzzy")
    message.user_comments = ["machine draft (Argos Translate translate-en_pl 1.0),", "needs review by a fluent speaker"]
    files[queue.catalog_file("pl")] = po_bytes(catalog)
    item = queue.build(files, "pl").find(queue.string_id(("rights", "Your rights")))
    assert item is not None and item.state == queue.MACHINE and item.machine == polish("Your rights")


def test_who_translated_a_string_is_the_author_of_the_version_that_last_changed_it():
    base = shipped()[queue.catalog_file("pl")]
    first = translated()[queue.catalog_file("pl")]
    catalog = read_po_bytes(first)
    catalog.get("Your rights", context="rights").string = "Twoje prawa"
    second = po_bytes(catalog)
    keys = list(catalog_state(catalog).entries)
    by = queue.translators([("ula", second), ("tom", first), ("release", base)], keys)
    assert by[("rights", "Your rights")] == "ula"
    assert by[("main", "Main menu")] == "tom"
    assert queue.translators([("release", first)], keys)[("main", "Main menu")] == "release"


@pytest.mark.content  # every shipped catalog
def test_every_catalog_written_back_unchanged_is_byte_identical():
    for path, data in files_from_dirs(ROOT / "flows", ROOT / "translations").items():
        if path.endswith(".po"):
            assert po_bytes(read_po_bytes(data)) == data, path


@pytest.mark.content  # the shipped glossaries
def test_a_glossary_is_content_and_its_languages_translators_draft_it():
    files = files_from_dirs(ROOT / "flows", ROOT / "translations")
    tags = [p.split("/")[1] for p in files if p.endswith(".po")]
    assert sorted(p.split("/")[1] for p in files if p.endswith(glossary.GLOSSARY)) == sorted(tags)
    for tag in tags:
        terms = glossary.read(files[glossary.path_of(tag)])
        assert {"administrative warrant", "judicial warrant", "public charge", "Public Defender"} <= {
            t.english for t in terms}, tag
        assert all(t.use for t in terms), tag
    change = rules.classify(files, {glossary.path_of("pl"): b"asylum: {use: azyl}\n"})
    assert change == rules.Change((), frozenset({"pl"}), False)
    assert rules.may_author(rules.Actor("tom@line.org", rules.TRANSLATOR, ("pl",)), change) is None
    assert rules.may_author(rules.Actor("sam@line.org", rules.TRANSLATOR, ("es",)), change) is not None


def test_glossary_terms_are_found_as_whole_words_in_any_case():
    terms = [glossary.Term("public charge", "obciążenie publiczne"), glossary.Term("ICE", "ICE")]
    assert glossary.used_in(terms, "Public charge rules changed.") == [terms[0]]
    assert glossary.used_in(terms, "Nice day") == []
    assert glossary.read(glossary.write(terms)) == terms


@pytest.mark.parametrize("actor, translator, refused", [
    (rules.Actor("ula@line.org", rules.TRANSLATOR, ("pl",)), "tom@line.org", None),
    (rules.Actor("tom@line.org", rules.TRANSLATOR, ("pl",)), "tom@line.org", "tom@line.org translated this string"),
    (rules.Actor("sam@line.org", rules.TRANSLATOR, ("es",)), "tom@line.org", "sam@line.org does not review pl"),
    (rules.Actor("pat@line.org", rules.PUBLISHER, ("pl",)), "release", None),
    (rules.Actor("pia@line.org", rules.PUBLISHER, ()), "release", "pia@line.org does not review pl"),
    (rules.Actor("ed@line.org", rules.EDITOR, ("pl",)), "tom@line.org", "ed@line.org does not review pl"),
])
def test_who_may_review_a_translation(actor, translator, refused):
    said = rules.may_review_translation(actor, "pl", translator)
    assert (said is None) if refused is None else refused in said


# The pages -------------------------------------------------------------------------------

@pytest.fixture
def line(make_app, tmp_path):
    """The app on a store whose published revision has Polish translated and then a changed
    English sentence; translators of Polish and Spanish, an editor and a publisher."""
    store = open_store(None, tmp_path / "instance", english_changed(translated()), config.read())
    for email, role, languages in (("tom@line.org", "translator", ["pl"]), ("ula@line.org", "translator", ["pl"]),
                                   ("sam@line.org", "translator", ["es"]), ("ed@line.org", "editor", []),
                                   ("pat@line.org", "publisher", [])):
        store.add_account(email, email[:3], role, languages, PASSWORD)
    app = make_app()
    app.extensions["hotline_store"] = store
    yield app, store
    store.engine.dispose()


def signed_in(app, email: str):
    client = app.test_client()
    assert client.post("/staff/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def changed_string(client) -> str:
    page = client.get("/staff/translate/pl")
    assert page.status_code == 200
    return re.search(r'href="/staff/translate/pl/s/([0-9a-f]+)">Help line: text', page.get_data(as_text=True)).group(1)


def post(client, path: str, **form: str):
    token = csrf(client.get(path))
    return client.post(path, data={"csrf_token": token, **form})


def test_a_translator_sees_their_languages_only_and_is_refused_spanish(line):
    app, _ = line
    tom = signed_in(app, "tom@line.org")
    index = tom.get("/staff/translate/").get_data(as_text=True)
    assert "Polski" in index or "Polish" in index
    assert "/staff/translate/es" not in index
    assert tom.get("/staff/translate/es").status_code == 403
    spanish = queue.string_id(("main", "Main menu"))
    assert tom.get(f"/staff/translate/es/s/{spanish}").status_code == 403
    token = csrf(tom.get(f"/staff/translate/pl/s/{spanish}"))
    assert tom.post(f"/staff/translate/es/s/{spanish}", data={"translation": "Menú", "csrf_token": token}
                    ).status_code == 403
    assert tom.get("/staff/translate/es/glossary").status_code == 403
    editor = signed_in(app, "ed@line.org")
    assert editor.get("/staff/translate/es").status_code == 200


def test_the_queue_page_shows_the_old_and_new_english_side_by_side(line):
    app, _ = line
    page = signed_in(app, "tom@line.org").get("/staff/translate/pl").get_data(as_text=True)
    changed = page[page.index('id="changed"'):page.index('id="unreviewed"')]
    for text in (OLD, NEW, polish(OLD)):
        assert html.escape(text) in changed
    assert "Old English" in changed and "New English" in changed and "Earlier translation" in changed
    assert "msgid" not in page and "msgctxt" not in page


def test_a_translation_with_the_wrong_placeholders_is_refused_with_a_sentence(line):
    app, store = line
    tom = signed_in(app, "tom@line.org")
    sid = changed_string(tom)
    refused = post(tom, f"/staff/translate/pl/s/{sid}", translation="Zadzwoń pod {helper}.")
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Not saved: the translation lacks {helpers}" in text and "{helper}" in text
    assert not [d for d in store.drafts() if d.author == "tom@line.org" and store.draft_files(d.id) !=
                store.files(store.published_number())]


def test_a_saved_translation_lands_in_the_translators_draft_and_a_script_stays_text(line):
    app, store = line
    tom = signed_in(app, "tom@line.org")
    sid = changed_string(tom)
    typed = "<script>alert(1)</script> Zadzwoń pod {helpers}."
    saved = post(tom, f"/staff/translate/pl/s/{sid}", translation=typed)
    assert saved.status_code == 302
    (draft,) = [d for d in store.drafts() if d.author == "tom@line.org"]
    entry = catalog_state(read_po_bytes(store.draft_files(draft.id)[queue.catalog_file("pl")])).entries[
        ("help_line", NEW)]
    assert entry.string == typed and not entry.fuzzy and not entry.previous
    for path in (f"/staff/translate/pl/s/{sid}", "/staff/translate/pl"):
        page = tom.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert html.escape("<script>alert(1)</script>") in page
    header = {"X-CSRF-Token": csrf(tom.get(f"/staff/translate/pl/s/{sid}"))}
    checked = tom.post("/staff/translate/pl/check", json={"sid": sid, "text": typed}, headers=header).get_json()
    assert checked["placeholders"] == "" and checked["segments"] == 1 and checked["encoding"] == "GSM-7"
    wrong = tom.post("/staff/translate/pl/check", json={"sid": sid, "text": "Zadzwoń {x}" * 40}, headers=header).get_json()
    assert "lacks {helpers}" in wrong["placeholders"] and wrong["segments"] > 3


def test_a_second_speaker_reviews_and_the_translator_may_not(line):
    app, store = line
    tom, ula = signed_in(app, "tom@line.org"), signed_in(app, "ula@line.org")
    sid = changed_string(tom)
    post(tom, f"/staff/translate/pl/s/{sid}", translation="Zadzwoń pod {helpers} po bezpłatną pomoc.")
    (draft,) = [d for d in store.drafts() if d.author == "tom@line.org"]
    asked = tom.post("/staff/translate/pl/ask", data={"reason": "Help line: new English translated",
                                                       "csrf_token": csrf(tom.get("/staff/translate/pl"))})
    assert asked.status_code == 200 and "/staff/review/" in asked.get_data(as_text=True)
    store.publish(draft.id, "pat@line.org")  # a translation of live English: one publisher
    refused = post(tom, f"/staff/translate/pl/s/{sid}", action="review", seen="Zadzwoń pod {helpers} po bezpłatną pomoc.")
    assert refused.status_code == 400 and "tom@line.org translated this string" in refused.get_data(as_text=True)
    signed = post(ula, f"/staff/translate/pl/s/{sid}", action="review", seen="Zadzwoń pod {helpers} po bezpłatną pomoc.")
    assert signed.status_code == 302
    (review,) = [d for d in store.drafts() if d.author == "ula@line.org"]
    entry = catalog_state(read_po_bytes(store.draft_files(review.id)[queue.catalog_file("pl")])).entries[
        ("help_line", NEW)]
    assert entry.review == Review("ula@line.org", entry.review.on)
    assert "Reviewed by ula@line.org" in ula.get("/staff/translate/pl").get_data(as_text=True)
    noted = [(e.actor, e.action, e.target) for e in store.audit_entries()]
    assert ("ula@line.org", "translation reviewed", f"draft {review.id}") in noted


def test_a_second_speaker_signs_the_translators_draft_and_it_is_published_with_the_review(line):
    app, store = line
    tom, ula = signed_in(app, "tom@line.org"), signed_in(app, "ula@line.org")
    words = "Zadzwoń pod {helpers} po bezpłatną pomoc."
    post(tom, f"/staff/translate/pl/s/{changed_string(tom)}", translation=words)
    (draft,) = [d for d in store.drafts() if d.author == "tom@line.org"]
    tom.post("/staff/translate/pl/ask", data={"reason": "Help line in Polish", "csrf_token": csrf(tom.get(
        "/staff/translate/pl"))})
    sign_at = f"/staff/translate/pl/draft/{draft.id}/s/{queue.string_id(('help_line', NEW))}/sign"
    waiting = tom.get("/staff/translate/pl").get_data(as_text=True)
    asked = waiting[waiting.index('id="asked"'):]
    assert html.escape(words) in asked and "tom@line.org translated this string" in asked and sign_at not in asked
    def sign(client, seen: str):
        return client.post(sign_at, data={"seen": seen, "csrf_token": csrf(client.get("/staff/translate/pl"))})

    refused = sign(tom, words)
    assert refused.status_code == 400 and "tom@line.org translated this string" in refused.get_data(as_text=True)

    assert sign_at in ula.get("/staff/translate/pl").get_data(as_text=True)
    assert sign(ula, "an older text").status_code == 400  # changed since she read it
    assert sign(ula, words).status_code == 302
    assert "Reviewed by ula@line.org" in ula.get("/staff/translate/pl").get_data(as_text=True)
    assert [d.author for d in store.drafts()] == ["tom@line.org"]  # signed on his draft, no second draft
    assert store.drafts()[0].status == "in review"
    live = store.files(store.publish(draft.id, "pat@line.org"))  # a translation of live English: one publisher
    item = queue.build(live, "pl").find(queue.string_id(("help_line", NEW)))
    assert item is not None and item.state == queue.REVIEWED and item.translation == words
    assert item.review == Review("ula@line.org", item.review.on)
    noted = [(e.actor, e.action, e.target) for e in store.audit_entries()]
    assert ("ula@line.org", "translation reviewed", f"draft {draft.id}") in noted
    assert ("tom@line.org", "translation review refused", f"draft {draft.id}") in noted


def test_the_glossary_is_edited_into_the_draft_by_that_languages_translators(line):
    app, store = line
    tom = signed_in(app, "tom@line.org")
    saved = post(tom, "/staff/translate/pl/glossary", english=["asylum", ""], use=["azyl", ""], note=["", ""])
    assert saved.status_code == 302
    (draft,) = [d for d in store.drafts() if d.author == "tom@line.org"]
    assert yaml.safe_load(store.draft_files(draft.id)[glossary.path_of("pl")]) == {"asylum": {"use": "azyl"}}
    editor = signed_in(app, "ed@line.org")
    refused = post(editor, "/staff/translate/pl/glossary", english="asylum", use="azyl", note="")
    assert refused.status_code == 400 and "is an editor" in refused.get_data(as_text=True)


@pytest.fixture
def polish_package(tmp_path, monkeypatch):
    pytest.importorskip("ctranslate2")
    pytest.importorskip("sentencepiece")
    from hotline.languages.machine import argos
    from tests import argos_fixture

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos"))
    argos.install_package(argos_fixture.build_package(tmp_path / "build", "en", "pl"))
    translating._drafter.cache_clear()
    yield
    translating._drafter.cache_clear()


def test_a_machine_draft_on_request_is_kept_as_a_draft_until_a_person_accepts_it(line, polish_package):
    app, store = line
    tom = signed_in(app, "tom@line.org")
    sid = queue.string_id(("rights", "Your rights"))
    store.add_account("tina@line.org", "Tina", "translator", ["pl"], PASSWORD)
    tina = signed_in(app, "tina@line.org")
    assert "Make a machine draft" in tina.get(f"/staff/translate/pl/s/{sid}").get_data(as_text=True)
    made = post(tom, f"/staff/translate/pl/s/{sid}", action="machine")
    assert made.status_code == 400 and "already has a translation" in made.get_data(as_text=True)
    new = queue.string_id(("help_line", NEW))  # its earlier translation stays; the draft goes beside it
    assert post(tom, f"/staff/translate/pl/s/{new}", action="machine").status_code == 302
    (draft,) = [d for d in store.drafts() if d.author == "tom@line.org"]
    item = queue.build(store.draft_files(draft.id), "pl").find(new)
    assert item is not None and item.state == queue.TO_UPDATE and "free help" in item.machine
    page = tom.get(f"/staff/translate/pl/s/{new}").get_data(as_text=True)
    assert "Machine draft, not served" in page


def test_the_shared_token_may_look_at_every_language_but_not_change_one(line):
    app, store = line
    app.config["STAFF_TOKEN"] = token = "shared-staff-token-0123456789"
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/staff/translate/es", headers=bearer).status_code == 200
    sid = queue.string_id(("main", "Main menu"))
    refused = client.post(f"/staff/translate/pl/s/{sid}", data={"translation": "Menu"}, headers=bearer)
    assert refused.status_code == 403 and "sign in with your own account" in refused.get_data(as_text=True)
    assert store.drafts() == []
