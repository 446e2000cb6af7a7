"""Where things live: no import cycle in hotline/ (function-level imports count: they still
tie the two modules together), each rule written once, and no TwiML read back."""
from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from hotline.channels import keywords as channel_keywords
from hotline.languages import phrases
from hotline.languages.words import normalize, words
from hotline.understand import keywords as understand_keywords

PACKAGE = Path(__file__).resolve().parent.parent / "hotline"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _runtime(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that runs, at any depth; not those under `if TYPE_CHECKING:`."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _runtime(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1], *filter(None, [base])])
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for after in sorted(graph[node]):
            if after not in index:
                visit(after)
                low[node] = min(low[node], low[after])
            elif after in stack:
                low[node] = min(low[node], index[after])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_late_imports():
    graph = import_graph()
    assert "hotline.languages.machine.argos" in graph["hotline.cli"]  # imported inside the commands that draft
    assert "hotline.channels.calls" in graph["hotline.channels.voice"]


def test_the_top_level_holds_only_what_joins_the_parts():
    """Every other module lives in the package of its job (languages, storage, channels...)."""
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == [
        "__init__.py", "cli.py", "config.py", "engine.py", "simulate.py"]


def test_no_import_cycle():
    assert cycles(import_graph()) == []


def _code(pattern: str) -> list[str]:
    """The modules of hotline/ whose code (comments aside) matches `pattern`."""
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                  if re.search(pattern, re.sub(r"#.*", "", p.read_text(encoding="utf-8"))))


def test_twilios_keywords_are_listed_once():
    assert _code(r"(?i)[\"']optout[\"']") == _code(r"(?i)[\"']revoke[\"']") == ["languages/phrases.py"]
    table = channel_keywords.TWILIO_KEYWORDS
    assert {w for w, kind in table.items() if kind == channel_keywords.OPT_OUT} == set(phrases.TWILIO_OPT_OUT)
    assert {w for w, kind in table.items() if kind == channel_keywords.OPT_IN} == set(phrases.TWILIO_OPT_IN)
    assert {w for w, kind in table.items() if kind == channel_keywords.HELP} == set(phrases.TWILIO_HELP)
    assert understand_keywords.TWILIO_STOP == {normalize(w) for w in phrases.TWILIO_OPT_OUT}
    assert words(phrases.KEY_STOP.text) <= understand_keywords.TWILIO_STOP  # what translators start from


def test_the_message_limit_is_written_once():
    assert _code(r"\b1_?600\b") == ["channels/__init__.py"]


def _strings(tree: ast.Module) -> Iterator[str]:
    """The string constants of a module, docstrings aside (they may say where things are)."""
    documented: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            documented.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in documented:
            yield node.value


def test_no_module_names_the_tests_folder():
    """The line runs from its package alone: nothing under hotline/ opens the tests' files
    (a path into tests/, or a path to it built from the module's own place)."""
    tests = Path(__file__).resolve().parent
    inside = re.compile(r"\btests/({})\b".format("|".join(re.escape(p.name) for p in tests.iterdir())))
    named = []
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        strings = list(_strings(ast.parse(source)))
        if any(inside.search(s) for s in strings) or ("__file__" in source and "tests" in strings):
            named.append(str(path.relative_to(PACKAGE)))
    assert named == []


def test_no_twiml_is_read_back():
    """Only the bench reads TwiML: it plays Twilio, reading the answers of a running line."""
    assert {p.split("/")[0] for p in _code(r"ElementTree|fromstring")} <= {"bench"}


# Code tests that still edit a copy of the shipped line (the `line` fixture, or the folders
# named directly) to exercise the check, the loader and staff editing: to move to the small
# flow in tests/data/small, as the webhook, channel and staff-page tests were.
NOT_MOVED_YET = {"test_check.py", "test_content_processes.py",
                 "test_i18n.py", "test_procfile.py", "test_staff_edits.py",
                 "test_staff_walk_browser.py", "test_translation_workflow.py"}
SHIPPED = re.compile(r'\bROOT / "(?:flows|translations)')


def _reading_the_shipped_line(path: Path) -> Iterator[str]:
    """The tests of a file that read the shipped flows or catalogs (name their folders, take
    conftest's `line`, or use a helper or constant of the file that names them) unmarked."""
    source = path.read_text(encoding="utf-8")
    tree, lines = ast.parse(source), source.splitlines()

    def text(node: ast.stmt | ast.expr) -> str:  # its lines (ast.get_source_segment splits the file at each call)
        return "\n".join(lines[node.lineno - 1:node.end_lineno])

    helpers: set[str] = set()
    for node in tree.body:
        if SHIPPED.search(text(node)):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                helpers.add(node.name)
            elif isinstance(node, ast.Assign):
                helpers |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    own_line = any(isinstance(n, ast.FunctionDef) and n.name == "line" and "line" not in {a.arg for a in n.args.args}
                   for n in tree.body)  # a fixture of its own named `line`, not built on conftest's
    whole = any(isinstance(n, ast.Assign) and "pytestmark" in text(n) and "content" in text(n) for n in tree.body)
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        arguments = {a.arg for a in node.args.args}
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | arguments
        reads = (SHIPPED.search(text(node) + "".join(text(d) for d in node.decorator_list)) or used & helpers
                 or ("line" in arguments and not own_line))
        if reads and not (whole or any("mark.content" in text(d) for d in node.decorator_list)):
            yield node.name


def test_only_content_tests_read_the_shipped_wording():
    """A staff edit of flows/ or translations/ turns only the content tests red: every other
    test runs on the small flow (the app fixtures serve it unless a test is marked `content`)."""
    tests = Path(__file__).resolve().parent
    unmarked = {p.name: names for p in sorted(tests.glob("test_*.py"))
                if p.name not in NOT_MOVED_YET and (names := list(_reading_the_shipped_line(p)))}
    assert unmarked == {}
    assert all(list(_reading_the_shipped_line(tests / name)) for name in NOT_MOVED_YET)  # the list shrinks
