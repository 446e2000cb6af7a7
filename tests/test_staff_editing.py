"""Editing, review, publish and history in the staff pages, through Flask's test client on the
store with the small fixture flow: every edit lands in the editor's draft, written into the
flow file in its own style; the roles hold (an editor cannot publish, a translator cannot edit
English, the shared token only looks); a publisher sees the difference per language and
channel, approves, publishes, and restores."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from hotline.content import load_content
from hotline.staff import versions
from hotline.staff.reviewing import proof
from hotline.store import flowedit
from tests import store_fixtures as fx

PASSWORD = "correct horse battery staple"
TOKEN = "shared-staff-token-0123456789"
MAIN = "flows/main.yaml"


@pytest.fixture
def line(make_app, tmp_path):
    """The app serving the store's published revision (the small flow, in SQLite: the store's
    own tests cover PostgreSQL), with four accounts."""
    app = make_app(CONTENT="store", INSTANCE=str(tmp_path / "instance"), FLOWS=str(fx.SMALL / "flows"), TRANSLATIONS=str(fx.SMALL / "translations"),
                   STAFF_TOKEN=TOKEN)
    store = app.extensions["hotline_store"]
    for email, role, languages in (("ed@line.org", "editor", []), ("pat@line.org", "publisher", []),
                                   ("sam@line.org", "publisher", []), ("tom@line.org", "translator", ["pl"])):
        store.add_account(email, email.split("@")[0], role, languages, PASSWORD)
    return app, store


def client_for(app, email: str):
    client = app.test_client()
    assert client.post("/staff/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def token_of(client, url: str = "/staff/edit/node/main") -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)


def post(client, url: str, **form: str):
    return client.post(url, data={"csrf_token": token_of(client), **form})


def node_form(store, email: str, nid: str, **changes: str) -> dict[str, str]:
    files = store.draft_files(store.working_draft(email).id)
    entry = flowedit.parse_entry(flowedit.entries_of(files[MAIN].decode())[nid]).values()
    form = {k: str(entry.get(k) or "") for k in ("title", "text", "also", "source", "reviewed", "recheck")}
    return {**form, **changes}


# The flow file, edited in place ---------------------------------------------------------------

def shipped_entries():
    for path in ("flows/main.yaml", "flows/services.yaml"):
        text = (fx.SMALL.parent.parent.parent / path).read_text(encoding="utf-8")
        for key, block in flowedit.yaml_blocks(text):
            if key:
                yield path, key, block


def test_every_shipped_node_and_service_round_trips_unchanged():
    count = 0
    for path, key, block in shipped_entries():
        entry = flowedit.parse_entry(block)
        assert entry.text() == block, key
        assert flowedit.set_fields(entry, entry.values()).text() == block, key
        values = entry.values()
        for part in entry.parts:  # the emitter writes each field as the file does (folded text aside:
            if part.name is None:  # where its lines break is the writer's choice)
                continue
            style = part.text.split(":", 1)[1].split("\n")[0].strip()
            if not style.startswith(">") and style not in ("|-", "|+"):
                assert flowedit.emit(part.name, values[part.name], entry.indent, style) == part.body, \
                    (path, key, part.name)
        count += 1
    assert count > 20


def test_one_field_edited_changes_only_its_lines():
    text = (fx.SMALL / "flows" / "main.yaml").read_text(encoding="utf-8")
    edited = flowedit.edit(text, "help_line", {"text": "Call {helpers} today.\n\nThey speak Polish.",
                                               "recheck": "2027-01-05", "title": "Help line"})
    expected = text.replace("    text: Call {helpers} for help.\n",
                            "    text: |\n      Call {helpers} today.\n\n      They speak Polish.\n")
    expected = expected.replace("    reviewed: 2026-12-01\n\n  talk:", "    reviewed: 2026-12-01\n    recheck: 2027-01-05\n\n  talk:")
    assert edited == expected != text


def test_a_page_is_added_and_options_reordered_comments_kept():
    text = "# head comment\nnodes:\n\n  main:\n    type: menu\n    title: Main\n    text: Hi.\n" \
           "    options: [a]\n    # confirm: a note staff keep\n\n  # a section\n\n  a:\n    type: page\n" \
           "    title: A\n    text: x\n    source: \"s\"\n"
    added = flowedit.add(text, "b", {"type": "page", "title": "B: two", "text": "y", "source": "t"}, "main")
    assert "    # confirm: a note staff keep\n\n  b:\n    type: page\n    title: \"B: two\"\n" in added
    assert "  # a section\n\n  a:" in added
    moved = flowedit.edit(added, "main", {"options": ["b", "a"]})
    assert "    options: [b, a]\n    # confirm: a note staff keep\n" in moved
    assert flowedit.remove(moved, "a").endswith("  # a section\n\n")


# The pages ------------------------------------------------------------------------------------

def test_an_edit_lands_in_the_editors_draft_and_the_publisher_publishes_it(line):
    app, store = line
    editor = client_for(app, "ed@line.org")
    form = node_form(store, "ed@line.org", "help_line", text="Call {helpers} for free help.")
    saved = post(editor, "/staff/edit/node/help_line", **form)
    assert saved.status_code == 302
    draft = store.working_draft("ed@line.org")
    main = store.draft_files(draft.id)[MAIN].decode()
    live = store.files(store.published_number())[MAIN].decode()
    assert main == live.replace("Call {helpers} for help.", "Call {helpers} for free help.")
    services = store.draft_files(draft.id)["flows/services.yaml"].decode()
    phone = post(editor, "/staff/edit/service/helpers", name="Helpers", phone="312-660-1370", dial="+13126601370",
                 hours="24 hours", source="shared/sources/services.md", verified="2026-12-01")
    assert phone.status_code == 302
    services_after = store.draft_files(draft.id)["flows/services.yaml"].decode()
    assert services_after == services.replace("1-855-435-7693", "312-660-1370").replace("+18554357693",
                                                                                           "+13126601370")
    asked = editor.post(f"/staff/review/{draft.id}/ask", data={"csrf_token": token_of(editor), "reason": "new number"})
    assert asked.status_code == 302
    refused = editor.post(f"/staff/review/{draft.id}/publish", data={"csrf_token": token_of(editor)})
    assert refused.status_code == 403 and "only a publisher publishes" in refused.get_data(as_text=True)

    pat = client_for(app, "pat@line.org")
    page = pat.get(f"/staff/review/{draft.id}").get_data(as_text=True)
    assert "for free help" in page and "312-660-1370" in page
    assert 'data-lang="pl" data-channel="SMS"' in page and 'data-channel="WhatsApp"' in page
    assert "a publisher other than ed@line.org approves it" in page  # before trying
    publish = pat.post(f"/staff/review/{draft.id}/publish", data={"csrf_token": token_of(pat)})
    assert publish.status_code == 403 and "must approve it first" in publish.get_data(as_text=True)
    assert pat.post(f"/staff/review/{draft.id}/approve", data={"csrf_token": token_of(pat)}).status_code == 302
    assert pat.post(f"/staff/review/{draft.id}/publish", data={"csrf_token": token_of(pat)}).status_code == 302
    number = store.published_number()
    assert b"312-660-1370" in store.files(number)["flows/services.yaml"]
    history = pat.get("/staff/review/history").get_data(as_text=True)
    assert "new number" in history and "ed@line.org" in history and "pat@line.org" in history
    changed = pat.get(f"/staff/review/history?revision={number}").get_data(as_text=True)
    assert "service Helpers: phone 1-855-435-7693 → 312-660-1370" in changed
    assert "&#39;Help line&#39;: text changed" in changed
    restored = pat.post("/staff/review/history/1/restore", data={"csrf_token": token_of(pat), "reason": "undo"})
    waiting = restored.get_data(as_text=True)
    assert "Open draft" in waiting
    assert re.search(r"not published yet \(draft \d+\): .*a publisher other than its author pat@line.org", waiting), waiting[waiting.find("<main"):][:600]
    restore = store.drafts()[-1]
    sam = client_for(app, "sam@line.org")
    assert sam.post(f"/staff/review/{restore.id}/approve", data={"csrf_token": token_of(sam)}).status_code == 302
    assert pat.post(f"/staff/review/{restore.id}/publish", data={"csrf_token": token_of(pat)}).status_code == 302
    assert store.published_number() == number + 1
    assert b"1-855-435-7693" in store.files(number + 1)["flows/services.yaml"]
    refused = pat.post("/staff/review/history/1/restore", data={"csrf_token": token_of(pat), "reason": ""})
    assert refused.status_code == 403 and "needs a reason" in refused.get_data(as_text=True)


def test_a_translator_cannot_edit_english_and_the_token_only_looks(line):
    app, store = line
    tom = client_for(app, "tom@line.org")
    form = node_form(store, "ed@line.org", "rights", title="Your rights!")
    refused = post(tom, "/staff/edit/node/rights", **form)
    assert refused.status_code == 403 and "editors and publishers" in refused.get_data(as_text=True)
    token = app.test_client()
    token.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
    assert token.get("/staff/edit/").status_code == 200
    assert token.post("/staff/edit/node/rights", data=form).status_code == 403
    assert token.post("/staff/review/1/approve").status_code == 403


def test_removal_is_refused_while_a_menu_leads_there_and_reorder_moves_the_digits(line):
    app, store = line
    editor = client_for(app, "ed@line.org")
    refused = post(editor, "/staff/edit/node/rights/remove")
    assert refused.status_code == 403 and "still an option of Main menu" in refused.get_data(as_text=True)
    assert post(editor, "/staff/edit/menu/main/options", option="help_line", action="up").status_code == 302
    assert post(editor, "/staff/edit/menu/main/add", title="Food help").status_code == 302
    draft = store.working_draft("ed@line.org")
    main = store.draft_files(draft.id)[MAIN].decode()
    assert "options: [help_line, rights, talk, at_work, food_help]" in main and "  food_help:\n    type: page\n" in main
    assert post(editor, "/staff/edit/menu/main/options", option="food_help", action="off").status_code == 302
    assert post(editor, "/staff/edit/node/food_help/remove").status_code == 302
    assert "food_help" not in store.draft_files(draft.id)[MAIN].decode()
    with app.app_context():
        live, mine = versions.loaded(store.files(1)), versions.loaded(store.draft_files(draft.id))
    shifted = proof.renumbered(live.content, mine.content)
    assert [(r.before[:2], r.after[:2]) for r in shifted] == [(("1 Your rights", "2 Help line"),
                                                              ("1 Help line", "2 Your rights"))]


def test_the_check_runs_as_typed_and_says_which_field(line):
    app, store = line
    editor = client_for(app, "ed@line.org")
    fields = node_form(store, "ed@line.org", "help_line", text="Call {helpres} for help.")
    answer = editor.post("/staff/edit/check", json={"kind": "node", "id": "help_line", "fields": fields},
                         headers={"X-CSRF-Token": token_of(editor)}).get_json()
    assert any(p["field"] == "text" and "helpres" in p["message"] for p in answer["problems"])
    fields["text"] = "Call {helpers} for help."
    answer = editor.post("/staff/edit/check", json={"kind": "node", "id": "help_line", "fields": fields},
                         headers={"X-CSRF-Token": token_of(editor)}).get_json()
    assert not [p for p in answer["problems"] if not p["warning"]]
    costs = {c["lang"]: c for c in answer["costs"]}
    assert {"en", "es"} <= set(costs) and costs["es"]["segments"] >= 1 and costs["es"]["whatsapp"] > 0
    assert costs["en"]["seconds"] > 0


def test_facts_due_for_a_recheck_are_on_the_staff_home_page(line):
    app, store = line
    soon = (date.today() + timedelta(days=10)).isoformat()
    later = (date.today() + timedelta(days=90)).isoformat()
    editor = client_for(app, "ed@line.org")
    post(editor, "/staff/edit/node/rights", **node_form(store, "ed@line.org", "rights", recheck=soon))
    post(editor, "/staff/edit/node/help_line", **node_form(store, "ed@line.org", "help_line", recheck=later))
    draft = store.working_draft("ed@line.org")
    store.ask_review(draft.id, "ed@line.org", "dates to re-check")
    store.publish(draft.id, "pat@line.org")
    home = editor.get("/staff/").get_data(as_text=True)
    section = home[home.index('id="recheck"'):]
    assert "Your rights" in section and soon in section and "laws-and-rights.md" in section
    assert "Help line</a>" not in section


# Proofing --------------------------------------------------------------------------------------

def proofed(**fields: object) -> tuple[list[proof.Screen], list[proof.Renumbered]]:
    from hotline import config
    from hotline.channels import sms, voice, whatsapp
    from hotline.check.version import gate

    cfg = config.read({})
    files = fx.shipped()
    draft = {**files, MAIN: flowedit.edit(files[MAIN].decode(), "rights", fields).encode()}
    live, mine = gate(files, cfg).content, gate(draft, cfg).content
    channels = proof.Channels(sms.SmsSettings.from_config(cfg), whatsapp.WhatsAppSettings.from_config(cfg),
                              voice.VoiceSettings.from_config(cfg))
    return proof.screens(live, mine, channels), proof.renumbered(live, mine)


def test_proofing_shows_each_changed_screen_per_language_and_channel_and_what_falls_back():
    screens, renumbered = proofed(title="Your rights in Chicago")
    assert [s.title for s in screens] == ["Main menu", "Your rights in Chicago"] and renumbered == []
    menu, rights = screens
    seen = {(d.lang, d.channel) for d in menu.differences}  # the menu lists the title on every channel
    assert {("en", "SMS"), ("en", "WhatsApp"), ("en", "Voice"), ("es", "SMS"), ("es", "Voice")} <= seen
    assert {(d.lang, d.channel) for d in rights.differences} >= {("en", "WhatsApp"), ("es", "WhatsApp")}
    assert not [d for d in rights.differences if d.channel == "SMS"]  # a page's SMS does not show its title
    spanish = next(d for d in rights.differences if (d.lang, d.channel) == ("es", "WhatsApp"))
    assert "Sus derechos" in spanish.before.messages[0] and "Your rights in Chicago" in spanish.after.messages[0]
    assert "characters" in spanish.after.notes[0]
    assert [w for w, changed in spanish.after.marks[0] if changed] == ["*Your", "rights", "in", "Chicago*"]
    assert [w for w, changed in spanish.before.marks[0] if changed] == ["*Sus", "derechos*"]
    sms = next(d for d in menu.differences if (d.lang, d.channel) == ("es", "SMS"))
    assert "segment" in sms.after.notes[0] and "Your rights in Chicago" in sms.after.messages[0]
    spoken = next(d for d in menu.differences if (d.lang, d.channel) == ("es", "Voice"))
    assert "Your rights in Chicago: oprima 1." in spoken.after.messages[0]  # the English title, in the Spanish prompt
    untranslated = ("the title (not translated yet)",)  # Polish and the languages with only the line's phrases
    assert [(f.lang, f.strings) for f in rights.fallbacks] == [
        ("es", ("the title (changed in English, not translated yet)",)),
        *((tag, untranslated) for tag in load_content(fx.SMALL / "flows", fx.SMALL / "translations").offered if tag not in ("en", "es"))]
    # Spanish read "Sus derechos" and will read the English title, nothing else: one line. Polish
    # had no translation: its residents read the change of English itself, proofed in full
    assert rights.folded == {"es"} and menu.folded == {"es"}



def test_a_draft_sent_back_reaches_its_author_with_the_comment_and_script_stays_text(line):
    app, store = line
    editor = client_for(app, "ed@line.org")
    post(editor, "/staff/edit/node/help_line",
         **node_form(store, "ed@line.org", "help_line", text="Call {helpers}. <script>alert(1)</script>"))
    draft = store.working_draft("ed@line.org")
    editor.post(f"/staff/review/{draft.id}/ask", data={"csrf_token": token_of(editor), "reason": "a <b>test</b>"})
    pat = client_for(app, "pat@line.org")
    page = pat.get(f"/staff/review/{draft.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>test" not in page
    empty = pat.post(f"/staff/review/{draft.id}/send-back", data={"csrf_token": token_of(pat), "comment": " "})
    assert empty.status_code == 400 and "say what to change" in empty.get_data(as_text=True)
    pat.post(f"/staff/review/{draft.id}/send-back", data={"csrf_token": token_of(pat), "comment": "no markup, please"})
    assert store.working_draft("ed@line.org").id == draft.id  # back with its author
    back = editor.get(f"/staff/review/{draft.id}").get_data(as_text=True)
    assert "Sent back" in back and "pat@line.org sent it back: “no markup, please”" in back
    assert "sent it back to you" in editor.get("/staff/edit/").get_data(as_text=True)


def test_a_draft_is_proofed_as_it_would_go_live_merged_onto_what_was_published_since(line):
    app, store = line
    editor = client_for(app, "ed@line.org")
    post(editor, "/staff/edit/node/help_line", **node_form(store, "ed@line.org", "help_line",
                                                           text="Call {helpers} for free help."))
    mine = store.working_draft("ed@line.org")
    pat = client_for(app, "pat@line.org")
    post(pat, "/staff/edit/node/rights", **node_form(store, "pat@line.org", "rights", title="Your rights here"))
    theirs = store.working_draft("pat@line.org")
    store.ask_review(theirs.id, "pat@line.org", "a shorter title")
    store.approve(theirs.id, "sam@line.org")
    store.publish(theirs.id, "pat@line.org")
    page = pat.get(f"/staff/review/{mine.id}").get_data(as_text=True)
    assert 'id="proof-help_line"' in page and "for free help" in page
    assert 'id="proof-rights"' not in page  # publishing it keeps "Your rights here": nothing to proof there


def test_the_review_page_follows_the_draft_edited_again_and_what_it_published(line):
    """Proofs are kept per content: an edit after the first look is proofed, and once
    published the page still shows what it changed (against the revision it followed)."""
    app, store = line
    editor, pat = client_for(app, "ed@line.org"), client_for(app, "pat@line.org")
    post(editor, "/staff/edit/node/help_line", **node_form(store, "ed@line.org", "help_line",
                                                           text="Call {helpers} for free help."))
    draft = store.working_draft("ed@line.org")
    assert "for free help" in pat.get(f"/staff/review/{draft.id}").get_data(as_text=True)
    post(editor, "/staff/edit/node/help_line", **node_form(store, "ed@line.org", "help_line",
                                                           text="Call {helpers} any day for free help."))
    again = pat.get(f"/staff/review/{draft.id}").get_data(as_text=True)
    assert "any day" in again
    store.ask_review(draft.id, "ed@line.org", "say when")
    store.approve(draft.id, "sam@line.org")
    store.publish(draft.id, "pat@line.org")
    published = pat.get(f"/staff/review/{draft.id}").get_data(as_text=True)
    assert "published as revision 2" in published and 'id="proof-help_line"' in published and "any day" in published
