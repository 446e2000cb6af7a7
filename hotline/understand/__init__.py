"""What a resident's words mean, in their language: the package both channels call.

- `events`: text, keypress or speech -> an engine event (the one entry point).
- `language`: which offered language a text is in (CLD2 and the line's own words).
- `search`: which nodes the words are about (BM25 over words and character n-grams).
- `vocabulary`: the line's words per language, gathered once per content.
- `keywords`: which keyword acts in which language; language names.
- `numbers`: numbers as words, in each language.
- `embedding`: the sentence-embedding model, where BM25 is not decisive, and its page vectors.

Pure: no Flask, Redis or I/O in a request (only `embedding`'s background job reads and
writes the pages' vectors); a resident's words live only in the call that reads them.
"""
from hotline.understand.events import SYMBOLS, confident, option_named, understand
from hotline.understand.keywords import is_stop

__all__ = ["SYMBOLS", "confident", "is_stop", "option_named", "understand"]
