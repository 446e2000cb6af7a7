"""The template every catalog is merged with: the strings residents can receive, as
`hotline i18n extract` and `pybabel extract -F babel.cfg` collect them."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract, extract_from_dir

from hotline.flow.extract import extract_flow


def extract_catalog(flows: Path, code: Path) -> Catalog:
    """The template: every flow string (msgctxt = node id) and every phrase of the code,
    with translator comments saying where each is shown. `pybabel extract -F babel.cfg`
    gives the same for the standard layout."""
    catalog = Catalog(project="hotline", charset="utf-8")
    for path in sorted(flows.glob("*.yaml")):
        label = f"{flows.name}/{path.name}"
        with path.open("rb") as fh:
            for lineno, text, comments, context in extract(extract_flow, fh):  # type: ignore[arg-type]
                catalog.add(text, locations=[(label, lineno)], auto_comments=comments, context=context)
    for filename, lineno, phrase, notes, context in code_phrases(code):
        catalog.add(phrase, locations=[(f"{code.name}/{filename}", lineno)], auto_comments=list(notes),
                    context=context)
    return catalog


@lru_cache(maxsize=2)
def code_phrases(code: Path) -> tuple[tuple[str, int, str | tuple[str, ...], tuple[str, ...], str | None], ...]:
    """The phrases of the code (`pgettext`), read once per process: the code does not change
    under a running line, and the store extracts a template at every publish that changes
    English (`workflow.follow_english`)."""
    return tuple((name, line, text, tuple(comments), context) for name, line, text, comments, context in
                 extract_from_dir(str(code), method_map=[("**.py", "python")], comment_tags=("NOTE",)))
