"""Dial-pad (T9, ITU E.161) digits of names, and the case- and accent-blind text search compares.

``t9_digits("John Smith") == "5646 76484"``: every letter becomes the key that carries it,
digits stay, anything that is neither letter nor digit separates words.
"""

from __future__ import annotations

import unicodedata

_KEYPAD = {
    "2": "abc",
    "3": "def",
    "4": "ghi",
    "5": "jkl",
    "6": "mno",
    "7": "pqrs",
    "8": "tuv",
    "9": "wxyz",
}
_KEY_OF_LETTER = {letter: key for key, letters in _KEYPAD.items() for letter in letters}
_DIGITS = frozenset("0123456789")
# ASCII after lower(): letters to their key, digits kept, anything else separates words.
_ASCII_TO_KEYS = str.maketrans(
    {chr(c): _KEY_OF_LETTER.get(chr(c)) or (chr(c) if chr(c) in _DIGITS else " ") for c in range(128)}
)

# Letters that Unicode does not decompose into a base letter plus marks.
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)


def fold(text: str) -> str:
    """``text`` as search compares it: case-folded, accents dropped (``Zoë`` -> ``zoe``)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def t9_digits(text: str) -> str:
    """The dial-pad digits of ``text``'s words, separated by single spaces.

    Letters without a key (Cyrillic, CJK, ...) are left out; digits are kept as they are.
    """
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_TO_KEYS).split())
    out: list[str] = []
    pending_space = False
    for ch in fold(text):
        digit = _KEY_OF_LETTER.get(ch) or (ch if ch in _DIGITS else None)
        if digit is not None:
            if pending_space and out:
                out.append(" ")
            pending_space = False
            out.append(digit)
        elif not ch.isalnum():
            pending_space = True
    return "".join(out)
