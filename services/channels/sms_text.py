"""What an SMS costs: its encoding and segment count, and the carrier of a Vietnamese number.

GSM 03.38 (7-bit): 160 characters in one message, 153 per part when split (the rest of each part
carries the concatenation header); a character of the extension table (^ { } [ ] ~ \\ | €) takes
two. Any other character (Vietnamese with its diacritics) makes the whole text UCS-2: 70 in one,
67 per part. Brandname care templates are usually registered without diacritics for this reason.
"""

import unicodedata

from services import phones

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
CARRIER_PREFIXES = {
    "viettel": ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039"),
    "mobifone": ("089", "090", "093", "070", "076", "077", "078", "079"),
    "vinaphone": ("088", "091", "094", "081", "082", "083", "084", "085"),
}


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def segments(text: str) -> tuple[str, int]:
    """(``"gsm7"`` or ``"ucs2"``, number of SMS parts) for ``text``."""
    if is_gsm7(text):
        length = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        single, part = 160, 153
        encoding = "gsm7"
    else:
        length = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)  # UTF-16 code units
        single, part = 70, 67
        encoding = "ucs2"
    if length <= single:
        return encoding, 1
    return encoding, -(-length // part)


def without_accents(text: str) -> str:
    """Vietnamese without diacritics (đ → d), case kept: what a non-Unicode brandname SMS carries."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def carrier(phone: str | None) -> str:
    """``viettel``, ``mobifone``, ``vinaphone`` or ``other`` from a national number's prefix."""
    digits = phones.national_digits(phone)
    for name, prefixes in CARRIER_PREFIXES.items():
        if digits.startswith(prefixes):
            return name
    return "other"
