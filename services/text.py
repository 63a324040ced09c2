"""Text folding for search: diacritics, case and phone formats do not matter."""

import re
import unicodedata

_NON_DIGIT = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower case without Vietnamese diacritics: "Nguyễn Văn Đạt" -> "nguyen van dat"."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def digits(text: str | None) -> str:
    return _NON_DIGIT.sub("", text or "")


def search_terms(query: str | None) -> list[str]:
    """The folded words of a search box; a phone-like word becomes its national digits."""
    from services.validation import phone_search_digits

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
