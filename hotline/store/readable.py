"""Files that cannot even be read are turned away before anything is stored, with one
readable error (the full check runs at publish)."""
from __future__ import annotations

import io

import yaml
from babel.messages.pofile import PoFileError, read_po

from hotline.flow.load import explain_yaml
from hotline.store.files import Files


def unreadable(files: Files) -> str | None:
    """The first file that does not parse, where and why; None when every file reads."""
    for path in sorted(files):
        data = files[path]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})."
        if path.endswith(".yaml"):
            try:
                yaml.safe_load(text)
            except yaml.YAMLError as exc:
                line, why = explain_yaml(exc, text)
                return f"{path}, line {line}: {why}"
        elif path.endswith(".po"):
            try:
                read_po(io.StringIO(text), abort_invalid=True)
            except PoFileError as exc:
                return f"{path}: {exc}"
    if not any(p.startswith("flows/") for p in files):
        return "there is no flows/ folder with .yaml files in it."
    if "translations/locales.yaml" not in files:
        return "there is no translations/locales.yaml: export a revision to see the layout."
    return None
