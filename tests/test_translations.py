"""One source of Vietnamese: ``translations/vi/LC_MESSAGES/messages.po`` (Flask-Babel's catalogue).

Every message of ours found in the code has a non-fuzzy Vietnamese ``msgstr`` there, and the compiled
``messages.mo`` the app loads says the same (``make translations`` was run after the last edit).
"""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
VI = ROOT / "translations" / "vi" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
IGNORE = (".venv", "tests", "bench", "migrations", "node_modules")


def _our_messages() -> set[str]:
    found = set()
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        keywords=KEYWORDS,
        callback=None,
        strip_comment_tags=True,
    ):
        if filename.split("/")[0] in IGNORE or filename.startswith(IGNORE):
            continue
        found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _text(string):
    """A plural's forms as a tuple, whichever reader gave them."""
    return tuple(string) if isinstance(string, (list, tuple)) else string


def _po() -> dict[str, object]:
    with (VI / "messages.po").open("rb") as fh:
        return {_key(m): m for m in read_po(fh, locale="vi") if m.id}


def test_every_message_is_translated_to_vietnamese_in_the_po():
    catalog = _po()
    missing = sorted(m for m in _our_messages() if m not in catalog or not catalog[m].string)
    fuzzy = sorted(m for m in _our_messages() if m in catalog and "fuzzy" in catalog[m].flags)
    assert missing == [], f"untranslated: run `make translations`, write their msgstr in {VI}/messages.po: {missing}"
    assert fuzzy == [], f"fuzzy (check the Vietnamese, drop the flag): {fuzzy}"


def test_the_compiled_catalogue_says_what_the_po_says():
    with (VI / "messages.mo").open("rb") as fh:
        compiled = {_key(m): _text(m.string) for m in read_mo(fh) if m.id}
    stale = sorted(
        k for k, m in _po().items() if m.string and "fuzzy" not in m.flags and compiled.get(k) != _text(m.string)
    )
    assert stale == [], f"messages.mo is older than messages.po: run `make translations` ({stale[:5]}…)"
