"""`hotline check` and `hotline test` on copies of the shipped flows, broken the ways staff
break them: each mistake must fail the check and name its file, line and node."""
from __future__ import annotations

import json
import re
import textwrap
from datetime import date
from pathlib import Path

import pytest

from hotline import config
from hotline.channels import calls, sms, voice
from hotline.check import rules as check
from hotline.content import load_content
from hotline.engine import Session
from hotline.flow.load import read_flow
from tests.conftest import ROOT, hotline


def add(line: Path, yaml_text: str, file: str = "main.yaml") -> None:
    path = line / "flows" / file
    indent = "  " if file == "main.yaml" else ""
    path.write_text(path.read_text() + textwrap.indent(textwrap.dedent(yaml_text), indent))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, text: str, after: int = 0) -> int:
    return next(n for n, row in enumerate(path.read_text().splitlines(), 1) if n > after and text in row)


@pytest.mark.content
def test_shipped_flows_pass(line):
    result = hotline(line, "check")
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output and "FAIL" not in result.output


def test_service_notes_and_languages_without_voice_warn(line):
    services, locales = line / "flows/services.yaml", line / "translations/locales.yaml"
    edit(services, 'verified: 2026-12-01\n  check: ""', 'verified: 2026-12-01\n  check: "confirm the hours"')
    edit(locales, "  say: pt-BR\n", "")  # a language no flow test calls in
    result = hotline(line, "check")
    assert result.exit_code == 0, result.output
    assert f"flows/services.yaml:{line_of(services, 'icirr:')} [icirr]: warning: check: confirm the hours" in result.output
    assert f"translations/locales.yaml:{line_of(locales, 'pt:')}: warning: pt: no Twilio voice" in result.output


def test_json_report_parses(line):
    result = hotline(line, "check", "--json")
    report = json.loads(result.output)
    assert result.exit_code == 0 and report["ok"] and report["complete"] and report["errors"] == 0
    english = next(x for x in report["languages"] if x["tag"] == "en")
    assert english["sms"] and english["voice"] and english["english"] == 0
    main_en = next(c for c in report["costs"] if c["node"] == "main" and c["lang"] == "en")
    assert main_en["segments"] >= 1 and main_en["encoding"] == "GSM-7" and main_en["voice_seconds"] > 5
    assert report["tests"] and all(t["passed"] for t in report["tests"])
    assert {"file", "line", "node", "message", "severity"} <= set(report["problems"][0])


# case: (what staff add to main.yaml, node named, text of the line named, message)
BROKEN = {
    "option pointing nowhere": ("""
        extra_menu:
          type: menu
          title: Extra
          text: Choose.
          options: [wco, no_such_node]
        """, "extra_menu", "extra_menu:", "'no_such_node' points to no node"),
    "node nothing reaches": ("""
        orphan:
          type: page
          title: Orphan
          text: Nobody gets here.
          source: shared/sources/laws-and-rights.md
          reviewed: 2026-11-26
        """, "orphan", "orphan:", "no menu leads here from 'main'"),
    "duplicate key": ("""
        twice:
          type: menu
          type: page
          title: Twice
          text: x
          source: s
        """, "twice", "type: page", "'type' is written twice"),
    "duplicate option": ("""
        same_twice:
          type: menu
          title: Same
          text: Choose.
          options: [wco, wco]
        """, "same_twice", "options:", "option 'wco' is listed twice"),
    "ten options on the keypad": ("""
        big:
          type: menu
          title: Big
          text: Choose.
          options: [wco, wco_2021, police_status, trust_act, way_forward_act, kift_act, ice_door, ice_silent, ice_lawyer, family_plan]
        """, "big", "options:", "10 options; at most 9"),
    "unknown service": ("""
        call_nobody:
          type: transfer
          title: Nobody
          service: nobody
          text: Call them.
        """, "call_nobody", "call_nobody:", "service 'nobody' is not in services.yaml"),
    "page without source": ("""
        unsourced:
          type: page
          title: A right
          text: You have a right.
        """, "unsourced", "unsourced:", "must name its 'source:'"),
    "phone number typed in text": ("""
        typed:
          type: page
          title: Typed
          text: Call 312-555-0100 for help.
          source: s
          reviewed: 2026-11-26
        """, "typed", "typed:", "phone number 312-555-0100 in the text is not in services.yaml"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_each_mistake_fails_and_is_located(line, case):
    yaml_text, node, at, message = BROKEN[case]
    add(line, yaml_text)
    result = hotline(line, "check")
    assert result.exit_code == 1, result.output
    path = line / "flows" / "main.yaml"
    located = f"flows/main.yaml:{line_of(path, at, line_of(path, node + ':') - 1)} [{node}]: error:"
    assert any(located in row and message in row for row in result.output.splitlines()), result.output


def test_dead_end_menus_that_only_loop(line):
    edit(line / "flows/main.yaml", "emergencies, talk_to_person]", "emergencies, talk_to_person, loop_a]")
    add(line, """
    loop_a:
      type: menu
      title: Loop A
      text: Choose.
      options: [loop_b]
    loop_b:
      type: menu
      title: Loop B
      text: Choose.
      options: [loop_a]
    """)
    result = hotline(line, "check")
    assert result.exit_code == 1
    path = line / "flows/main.yaml"
    for node in ("loop_a", "loop_b"):
        assert f"flows/main.yaml:{line_of(path, node + ':')} [{node}]: error: dead end" in result.output


def test_transfer_to_a_service_without_number_is_a_dead_end(line):
    add(line, 'nonumber:\n  name: No number\n  phone: ""\n  source: s\n  verified: 2026-11-26\n', "services.yaml")
    edit(line / "flows/main.yaml", "service: cchrintake", "service: nonumber")
    result = hotline(line, "check")
    assert result.exit_code == 1
    at = line_of(line / "flows/main.yaml", "report_discrimination:")
    assert f"flows/main.yaml:{at} [report_discrimination]: error: dead end: service 'nonumber' has no phone" \
        in result.output


def test_yaml_syntax_error_names_the_line(line):
    (line / "flows/main.yaml").write_text("nodes:\n  main:\n    type: menu\n    text: [unclosed\n")
    result = hotline(line, "check")
    assert result.exit_code == 1
    assert "flows/main.yaml:5: error: not valid YAML" in result.output
    assert "does not load" in result.output


def test_every_mistake_is_reported_at_once(line):
    add(line, BROKEN["page without source"][0] + BROKEN["phone number typed in text"][0])
    output = hotline(line, "check").output
    assert "must name its 'source:'" in output and "no menu leads here" in output and "312-555-0100" in output


def test_old_or_missing_review_dates_warn(line):
    path = line / "flows/main.yaml"
    edit(path, "reviewed: 2026-12-07", "reviewed: 2020-01-01")
    edit(path, "    reviewed: 2026-12-07\n", "")
    result = hotline(line, "check", HOTLINE_REVIEW_MAX_DAYS="180")
    assert result.exit_code == 0, result.output
    assert f"flows/main.yaml:{line_of(path, 'wco:')} [wco]: warning: 'reviewed: 2020-01-01' is" in result.output
    assert f"flows/main.yaml:{line_of(path, 'wco_2021:')} [wco_2021]: warning: no 'reviewed:' date" in result.output


def test_stale_dates():
    flow, _ = read_flow(ROOT / "flows")
    day = date(2026, 12, 7)
    assert not check.stale(flow, day, 180)
    later = check.stale(flow, date(2027, 6, 1), 180)
    assert {p.node for p in later} >= {"wco", "icirr"} and all(p.severity == "warning" for p in later)
    assert "in the future" in check.stale(flow, date(2026, 1, 1), 180)[0].message


RECHECK_FLOW = """
nodes:
  main:
    type: menu
    title: Main menu
    text: Choose.
    options: [court_case, law]
  court_case:
    type: page
    title: A pending case
    text: As of January 2026 the case was pending.
    source: a court's page
    reviewed: 2026-12-07
    recheck: 2027-01-07
  law:
    type: page
    title: A statute
    text: The law says so.
    source: the statute
    reviewed: 2026-12-07
"""


def test_a_passed_recheck_date_warns(tmp_path):
    """A fact resting on a pending case is said only until its recheck date; then
    `hotline check` asks staff to check its sources again, and a page without one is named."""
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows/main.yaml").write_text(RECHECK_FLOW)
    (tmp_path / "flows/services.yaml").write_text(
        "line:\n  name: A line\n  phone: 312-555-0100\n  source: s\n  verified: 2026-12-07\n  recheck: 2027-03-01\n")
    flow, problems = read_flow(tmp_path / "flows")
    assert not problems and flow.nodes["court_case"].recheck == "2027-01-07"
    before = check.stale(flow, date(2027, 1, 7), 180)
    assert [(p.node, p.severity) for p in before] == [("law", "warning")]
    assert "no 'recheck:' date" in before[0].message
    after = {p.node: p for p in check.stale(flow, date(2027, 3, 2), 180)}
    assert set(after) == {"court_case", "law", "line"} and all(p.severity == "warning" for p in after.values())
    assert "'recheck: 2027-01-07' has passed" in after["court_case"].message
    assert after["court_case"].line == 8 and after["court_case"].file.endswith("main.yaml")
    assert "'recheck: 2027-03-01' has passed" in after["line"].message


def test_a_passed_recheck_date_warns_in_hotline_check(line):
    path = line / "flows/main.yaml"
    edit(path, "recheck: 2027-01-07", "recheck: 2026-01-07")
    result = hotline(line, "check")
    assert result.exit_code == 0, result.output
    assert f"flows/main.yaml:{line_of(path, 'kift_act:')} [kift_act]: warning: 'recheck: 2026-01-07' has passed" in result.output


def test_character_forcing_ucs2_is_named(line):
    po = line / "translations/es/LC_MESSAGES/messages.po"
    edit(po, 'msgstr "Sus derechos en Chicago"', 'msgstr "Sus derechos en Chicago ✓"')
    result = hotline(line, "check")
    at = line_of(line / "flows/main.yaml", "main:")
    assert f"flows/main.yaml:{at} [main]: warning: [es] SMS sent as UCS-2 because of '✓' (U+2713)" in result.output


def test_a_word_that_folds_into_a_trap_staff_listed_is_named(line):
    locales, po = line / "translations/locales.yaml", line / "translations/pt/LC_MESSAGES/messages.po"
    only_this_trap = re.sub(r"  fold_traps:\n(    .*\n)+", "", locales.read_text())
    locales.write_text(only_this_trap.replace("pt:\n", "pt:\n  fold_traps:\n    faca: knife (from faça, do)\n"))
    edit(po, 'msgstr "Seus direitos em Chicago"', 'msgstr "Faça valer seus direitos"')
    edit(po, 'msgctxt "wco"\nmsgid "Welcoming City Ordinance"\nmsgstr "', 'msgctxt "wco"\nmsgid "Welcoming City Ordinance"\nmsgstr "faca ')
    result = hotline(line, "check")
    assert result.exit_code == 0, result.output
    at = line_of(line / "flows/main.yaml", "rights_chicago:")
    assert (f"flows/main.yaml:{at} [rights_chicago]: warning: [pt] rights_chicago, title: 'Faça' arrives by SMS as "
            "'Faca', which reads as knife (from faça, do)") in result.output
    assert "[pt] wco, title" not in result.output  # 'faca' as the translator wrote it is no fold
    edit(locales, "  speech: pt-BR\n  sms: fold\n", "  speech: pt-BR\n  sms: unicode\n")  # nothing folds
    assert "arrives by SMS" not in hotline(line, "check").output


def test_a_fuzzy_entry_is_a_warning_and_its_flow_tests_wait_for_it(line):
    po = line / "translations/es/LC_MESSAGES/messages.po"
    edit(po, 'msgctxt "rights_chicago"', '#, fuzzy\nmsgctxt "rights_chicago"')
    result = hotline(line, "check")
    at = line_of(po, 'msgid "Your rights in Chicago"')
    assert (f"translations/es/LC_MESSAGES/messages.po:{at} [rights_chicago]: warning: es: 1 string is a draft "
            "(fuzzy) no fluent speaker has approved yet: rights_chicago, title (residents get 1 in English)"
            ) in result.output
    assert result.exit_code == 0, result.output
    assert "warn  flows/tests/legal_es.yaml" in result.output
    assert "This passes again once" in result.output


FAILING_TEST = """\
name: Legal help
steps:
  - send: hello
    expect: ["1 Your rights in Chicago"]
  - send: "5"
    expect: ["ICIRR Nope"]
"""


def test_failing_flow_test_names_file_line_sent_expected_and_reply(line):
    (line / "flows/tests/broken.yaml").write_text(FAILING_TEST)
    for command in ("check", "test"):
        result = hotline(line, command)
        assert result.exit_code == 1
        assert ("flows/tests/broken.yaml:5 [legal_help]: error: flow test 'Legal help' step 2: sent '5', "
                "expected 'ICIRR Nope'; the line replied:") in result.output
        assert "| Legal help and support for immigrants" in result.output


def test_badly_written_flow_test(line):
    (line / "flows/tests/typo.yaml").write_text("name: Typo\nsteps:\n  - send: #\n  - sned: hola\n")
    output = hotline(line, "test").output
    assert "flows/tests/typo.yaml:3: error: write what the step sends in quotes" in output
    assert "flows/tests/typo.yaml:4: error: unknown key 'sned'" in output


def test_flow_tests_pass_and_are_not_flows(line):
    result = hotline(line, "test")
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output and "legal_es.yaml" in result.output
    flow, problems = read_flow(line / "flows")
    assert not problems and "steps" not in flow.nodes


@pytest.fixture(scope="module")
def content():
    return load_content(ROOT / "flows", ROOT / "translations")


def test_reply_over_the_segment_budget(content):
    rendered = check.costs(content, sms.SmsSettings(), voice.VoiceSettings())
    over = check.sms_problems(content, rendered, budget=1)
    assert any(p.node == "wco" and "[en] SMS page 1 is" in p.message and "budget is 1" in p.message for p in over)
    assert not [p for p in check.sms_problems(content, rendered, budget=3) if "[en]" in p.message]


def test_voice_seconds():
    said = (calls.Say("one two three four five", "en-US"), calls.Pause(1), calls.Say("你好你好", "zh-CN"))
    assert check.spoken_seconds(said) == 4  # 5 words / 2.5 + 1 s pause + 4 characters / 4
    listening = (calls.Gather(said, Session(lang="en"), "en-US"), calls.Redirect(Session(lang="en")))
    assert check.spoken_seconds(listening) == 4  # what a Gather says counts
    assert check.spoken_seconds((calls.Play("x.mp3"),)) is None


def test_every_node_has_a_cost_per_offered_language(content):
    rendered = check.costs(content, sms.SmsSettings(), voice.VoiceSettings.from_config(config.read()))
    assert {(c.node, c.lang) for c in rendered} >= {(n, t) for n in content.flow.nodes for t in content.offered}
