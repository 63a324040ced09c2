"""Fill Vietnamese translations into translations/vi from a Python dict file: ``python tools/po_fill.py FILE``.

The file defines ``VI = {english: vietnamese}``; existing translations are kept
unless the dict gives a new one. Then compile with ``make translations``.
"""

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def main(paths: list[str]) -> None:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    for path in paths:
        table = runpy.run_path(path)["VI"]
        for msgid, msgstr in table.items():
            message = catalog.get(msgid)
            if message is None:
                catalog.add(msgid, msgstr)
            else:
                message.string = msgstr
                message.flags.discard("fuzzy")
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=100)


if __name__ == "__main__":
    main(sys.argv[1:])
