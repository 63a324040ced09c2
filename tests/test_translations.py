"""Every message of ours has a Vietnamese translation in the compiled catalogue."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo

ROOT = Path(__file__).resolve().parent.parent
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


def test_every_message_is_translated_to_vietnamese():
    with (ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        catalog = read_mo(fh)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}
    missing = sorted(_our_messages() - translated)
    assert missing == [], f"untranslated (add to translations/vi_*.py, then `make translations`): {missing}"
