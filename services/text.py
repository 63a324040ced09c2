"""Text as the product stores and searches it: NFC on write, folding for search, LIKE-safe terms."""

import re
import unicodedata

from services.phones import phone_search_digits

_NON_DIGIT = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")

LOOKALIKES = str.maketrans(
    {
        "Đ": "d",  # U+0110, the Vietnamese letter
        "đ": "d",
        "Ð": "d",  # U+00D0 (Icelandic eth): what some converters write for Đ
        "ð": "d",
        "Ɖ": "d",  # U+0189 (African D), another look-alike of Đ
        "ɖ": "d",
        "Ø": "o",
        "ø": "o",
        "Ł": "l",
        "ł": "l",
        "ı": "i",
        "ß": "ss",
        "Æ": "ae",
        "æ": "ae",
        "Œ": "oe",
        "œ": "oe",
    }
)
"""Letters with no Unicode decomposition that a person reads as a plain Latin letter."""


def nfc(text: str | None) -> str | None:
    """The composed form (NFC) every stored text has: "Nguyễn" typed in any way compares equal."""
    if not text or text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


def fold(text: str | None) -> str:
    """Lower case without Vietnamese diacritics: "Nguyễn Văn Đạt" (or "Ðạt") -> "nguyen van dat".

    Compatibility forms fold too (full-width "０９１２" -> "0912").
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(LOOKALIKES))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", stripped.translate(LOOKALIKES).lower()).strip()


def digits(text: str | None) -> str:
    return _NON_DIGIT.sub("", text or "")


LIKE_ESCAPE = "/"
"""The escape character of every LIKE the product builds (the same on SQLite, PostgreSQL and MariaDB)."""


def like_literal(term: str) -> str:
    """``term`` with LIKE's wildcards taken literally: "100%" matches "100%", "_an" matches "_an".

    Use with ``escape=LIKE_ESCAPE``: ``column.like(f"%{like_literal(term)}%", escape=LIKE_ESCAPE)``.
    """
    return term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def search_terms(query: str | None) -> list[str]:
    """The folded words of a search box; a phone-like word becomes its national digits."""
    folded = fold(query)
    if re.fullmatch(r"[\d\s\-\.\(\)\+]+", folded or "x"):
        phone = phone_search_digits(folded.replace(" ", ""))
        if phone:
            return [phone]
    terms = []
    for word in folded.split():
        phone = phone_search_digits(word)
        terms.append(phone if phone else word)
    return terms
