"""Staff mistakes in flow files are reported with file, line and node, never a traceback."""
from __future__ import annotations

import shutil
import textwrap

import pytest

from hotline.flow import FlowError, load_flow
from tests.conftest import SMALL


@pytest.fixture
def flows(tmp_path):
    folder = tmp_path / "flows"
    shutil.copytree(SMALL / "flows", folder, ignore=shutil.ignore_patterns("tests"))
    return folder


def broken(folder, extra: str) -> str:
    with open(folder / "main.yaml", "a") as fh:
        fh.write(textwrap.indent(textwrap.dedent(extra), "  "))
    with pytest.raises(FlowError) as caught:
        load_flow(folder)
    return str(caught.value)


def test_a_flow_loads_with_every_service_sourced(flows):
    flow = load_flow(flows)
    assert flow.nodes["main"].options
    assert all(s.source and s.verified for s in flow.services.values())


def line_of(folder, text: str) -> int:
    return next(n for n, line in enumerate((folder / "main.yaml").read_text().splitlines(), 1) if text in line)


def test_option_pointing_nowhere(flows):
    report = broken(flows, """
    extra_menu:
      type: menu
      title: Extra
      text: Choose.
      options: [no_such_node]
    """)
    assert f"flows/main.yaml:{line_of(flows, 'extra_menu:')} [extra_menu]" in report
    assert "'no_such_node' points to no node" in report


def test_page_without_source(flows):
    report = broken(flows, """
    unsourced:
      type: page
      title: A right
      text: You have a right.
    """)
    assert "[unsourced]" in report and "source" in report


def test_unknown_service_and_placeholder(flows):
    report = broken(flows, """
    call_nobody:
      type: transfer
      title: Nobody
      service: nobody
      text: Call {nobody_either}.
    """)
    assert "service 'nobody' is not in services.yaml" in report
    assert "{nobody_either} is not a service id" in report


def test_duplicate_key_and_bad_type(flows):
    report = broken(flows, """
    twice:
      type: page
      type: pamphlet
      title: Twice
      text: x
    """)
    assert "'type' is written twice" in report
    assert "type must be one of" in report


def test_too_many_options_for_the_keypad(flows):
    report = broken(flows, """
    big:
      type: menu
      title: Big
      text: Choose.
      options: [wco, wco_2021, police_status, trust_act, way_forward_act, kift_act, ice_door, ice_silent, ice_lawyer, family_plan]
    """)
    assert "10 options; at most 9" in report


def test_yaml_syntax_error_names_the_line(flows):
    (flows / "main.yaml").write_text("nodes:\n  main:\n    type: menu\n    text: [unclosed\n")
    with pytest.raises(FlowError) as caught:
        load_flow(flows)
    assert "flows/main.yaml:" in str(caught.value) and "not valid YAML" in str(caught.value)
