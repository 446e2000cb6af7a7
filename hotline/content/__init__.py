"""The content: everything the line says, and where each version of it comes from.

`model` (the loaded `Content` and how files become it), `files` (a version as a mapping of
paths to bytes), `source` (where versions come from: a `Source`, such as the `flows/` and
`translations/` folders), `lastgood` (the instance's copy of the last version that passed
the check), `live` (what a process serves now, refreshed by a background thread).
"""
from hotline.content.model import Content, load_content, wording_only

__all__ = ["Content", "load_content", "wording_only"]
