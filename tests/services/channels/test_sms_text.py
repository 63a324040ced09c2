"""SMS encoding, parts and carriers."""

from services.channels.sms_text import carrier, segments, without_accents


def test_gsm7_parts():
    assert segments("a" * 160) == ("gsm7", 1)
    assert segments("a" * 161) == ("gsm7", 2)
    assert segments("a" * 306) == ("gsm7", 2)
    assert segments("a" * 307) == ("gsm7", 3)
    assert segments("{" * 80) == ("gsm7", 1)  # extension characters count twice
    assert segments("{" * 81) == ("gsm7", 2)


def test_ucs2_parts():
    assert segments("ư" * 70) == ("ucs2", 1)
    assert segments("ư" * 71) == ("ucs2", 2)
    assert segments("ư" * 134) == ("ucs2", 2)
    assert segments("ư" * 135) == ("ucs2", 3)
    assert segments("Chúc mừng năm mới")[0] == "ucs2"


def test_without_accents_and_carriers():
    assert without_accents("Nguyễn Văn Đạt, chúc mừng!") == "Nguyen Van Dat, chuc mung!"
    assert segments(without_accents("Chúc mừng năm mới"))[0] == "gsm7"
    assert carrier("0961234567") == "viettel" and carrier("84351234567") == "viettel"
    assert carrier("0901234567") == "mobifone" and carrier("0912345678") == "vinaphone"
    assert carrier("0921234567") == "other"
