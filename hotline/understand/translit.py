"""Ukrainian (and Russian) written in Latin letters, read back in Cyrillic: residents
type "potriben advokat" or "gde muzh" on phones without a Cyrillic keyboard, and the
catalog is in Cyrillic. The Ukrainian national romanization reversed, with the informal
spellings people use (ya/ia, kh, ts, shch); one letter off here and there is left to the
search's n-grams ("imihratsii" -> "іміграціі", near "імміграції").
"""
from __future__ import annotations

import re

_MULTI = (("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("ya", "я"),
          ("ia", "я"), ("yu", "ю"), ("iu", "ю"), ("ye", "є"), ("ie", "є"), ("yi", "ї"), ("ji", "ї"))
_SINGLE = dict(zip("abvhgdezyijklmnoprstufcwxq", "абвггдезиійклмнопрстуфцвхк", strict=True))
_LATIN = re.compile(r"^[a-z']+$")


def cyrillic(word: str) -> str | None:
    """The Cyrillic reading of a normalized Latin word, or None for any other word."""
    if not _LATIN.match(word) or len(word) < 3:
        return None
    out, i = [], 0
    word = word.replace("'", "")
    while i < len(word):
        for latin, letter in _MULTI:
            if word.startswith(latin, i):
                out.append(letter)
                i += len(latin)
                break
        else:
            out.append(_SINGLE.get(word[i], ""))
            i += 1
    return "".join(out)


# The languages whose residents write them in Latin letters, and how to read them back.
READ_BACK = {"uk": cyrillic}
