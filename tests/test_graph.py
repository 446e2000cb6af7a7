"""`hotline graph`: every node and every option of the flow, in Mermaid, DOT and SVG."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from hotline.cli import main
from hotline.flow import load_flow
from hotline.flow.model import Flow, Node
from hotline.staff import graph
from tests.conftest import SMALL

FLOW = load_flow(SMALL / "flows")
EDGES = [(n.id, o, i) for n in FLOW.nodes.values() for i, o in enumerate(n.options, 1)]


def run(*args: str):
    return CliRunner().invoke(main, ["graph", *args], env={"HOTLINE_FLOWS": str(SMALL / "flows")})


def test_mermaid_has_every_node_and_edge():
    result = run()
    assert result.exit_code == 0 and result.output.startswith("flowchart LR")
    for nid in FLOW.nodes:
        assert f"({nid})" in result.output
    for a, b, i in EDGES:
        assert f"n_{a} -->|{i}| n_{b}" in result.output
    assert 'n_main["Main menu' in result.output and 'n_wages(["' in result.output
    assert 'n_talk{{"Talk to a person<br/>(talk)<br/>Helpers<br/>1-855-435-7693"}}' in result.output


def test_dot_has_every_node_and_edge(tmp_path):
    out = tmp_path / "flow.dot"
    assert run("--format", "dot", "-o", str(out)).exit_code == 0
    text = out.read_text()
    for nid, node in FLOW.nodes.items():
        assert f'"{nid}" [shape={graph._DOT[node.kind]}' in text
    for a, b, i in EDGES:
        assert f'"{a}" -> "{b}" [label="{i}"];' in text


@pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz is not installed")
def test_svg_when_graphviz_is_installed(tmp_path):
    out = tmp_path / "flow.svg"
    assert run("--format", "svg", "-o", str(out)).exit_code == 0
    text = out.read_text()
    assert "<svg" in text and all(f"<title>{nid}</title>" in text for nid in FLOW.nodes)


def test_svg_without_graphviz_says_what_to_do(monkeypatch):
    monkeypatch.setattr(graph.shutil, "which", lambda name: None)
    result = run("--format", "svg")
    assert result.exit_code != 0 and "Graphviz" in result.output and "--format dot" in result.output


def test_labels_are_escaped():
    node = Node(id="quoted", kind="page", title='Say "hi" <now>', text="x")
    flow = Flow(nodes={"quoted": node}, services={}, version="x")
    assert '(["Say #quot;hi#quot; #lt;now#gt;<br/>(quoted)"])' in graph.mermaid(flow)
    assert r'label="Say \"hi\" <now>\n(quoted)"' in graph.dot(flow)


def test_broken_flow_is_not_drawn(tmp_path):
    shutil.copytree(SMALL / "flows", tmp_path / "flows")
    (tmp_path / "flows/main.yaml").write_text("nodes:\n  main:\n    type: menu\n    text: [unclosed\n")
    result = CliRunner().invoke(main, ["graph"], env={"HOTLINE_FLOWS": str(tmp_path / "flows")})
    assert result.exit_code != 0 and "flows/main.yaml:5" in result.output
