"""Numbers as residents say or write them: "two", "dos", "deux", "二", "둘" pick option 2.

Twilio's speech recognition often writes a spoken number as a word, and in Korean and
Chinese in either of two number systems; SMS residents write them too. Only 1 to 9 (a
menu has at most nine options)."""
from __future__ import annotations

from hotline.languages.words import normalize

# Each language's words for 1..9, all forms a caller may say (gender, native and Sino-
# Korean numbers, Chinese formal and spoken forms), as normalize() leaves them (no accents).
_WORDS: dict[str, list[str]] = {
    "en": ["one won", "two to too", "three", "four for", "five", "six", "seven", "eight", "nine"],
    "es": ["uno una un", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"],
    "pl": ["jeden jedna jedynka", "dwa dwie dwojka", "trzy trojka", "cztery czworka", "piec piatka",
           "szesc szostka", "siedem siodemka", "osiem osemka", "dziewiec dziewiatka"],
    "zh-Hans": ["一 壹 幺 一号 一个", "二 两 贰 二号 两个", "三 叁 三号", "四 肆 四号", "五 伍 五号",
                "六 陆 六号", "七 柒 七号", "八 捌 八号", "九 玖 九号"],
    "hi": ["एक ek", "दो do", "तीन teen tin", "चार char chaar", "पांच पाँच paanch panch",
           "छह छः chhah che", "सात saat", "आठ aath", "नौ nau"],
    "ar": ["واحد واحده", "اثنين اثنان اتنين", "ثلاثه ثلاث تلاته", "اربعه اربع", "خمسه خمس",
           "سته ست", "سبعه سبع", "ثمانيه ثماني تمانيه", "تسعه تسع"],
    "fr": ["un une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"],
    "ht": ["en youn", "de", "twa", "kat", "senk", "sis", "set", "uit", "nef"],
    "pt": ["um uma", "dois duas", "tres", "quatro", "cinco", "seis", "sete", "oito", "nove"],
    "uk": ["один одна одиниця", "два дві двійка", "три трійка", "чотири", "пять пʼять пять",
           "шість", "сім", "вісім", "девять девʼять"],
    "tl": ["isa uno", "dalawa dos", "tatlo tres", "apat kwatro", "lima singko", "anim sais",
           "pito siyete", "walo otso", "siyam nuwebe"],
    "ko": ["하나 한 일 일번 1번", "둘 두 이 이번 2번", "셋 세 삼 삼번 3번", "넷 네 사 사번 4번",
           "다섯 오 오번 5번", "여섯 육 육번 6번", "일곱 칠 칠번 7번", "여덟 팔 팔번 8번", "아홉 구 구번 9번"],
}
# Words around a number that say nothing more: "number two", "option 2", "el dos", "第二".
_AROUND = frozenset(normalize(w) for w in (
    "number option press the no el la numero opcion opción le numéro nimewo numer opcja "
    "o a ang numero bilang 第 号 번 번호 का नंबर رقم الرقم номер варіант please por favor"
).split())


def _table(tag: str) -> dict[str, int]:
    return {normalize(w): n for n, said in enumerate(_WORDS.get(tag, ()), 1) for w in said.split()}


TABLES: dict[str, dict[str, int]] = {tag: _table(tag) for tag in _WORDS}


def number_in(text: str, langs: tuple[str, ...]) -> int | None:
    """The option number a short text names in one of `langs`, or None. Every word must be
    a number or a word around one ("option two"), and only one number may be named."""
    words = normalize(text).split()
    if not words or len(words) > 4:
        return None
    found: set[int] = set()
    for word in words:
        if word.isdecimal() and len(word) == 1:
            found.add(int(word))
            continue
        hits = {TABLES[t][word] for t in langs if word in TABLES.get(t, {})}
        if hits:
            found |= hits
        elif word not in _AROUND:
            return None
    return found.pop() if len(found) == 1 else None


def words_for(tag: str) -> frozenset[str]:
    """A language's number words: evidence for language identification too."""
    return frozenset(TABLES.get(tag, {}))
