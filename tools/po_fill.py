"""Fill the Vietnamese catalogue from ``translations/vi_*.py`` (each defines ``VI = {english: vietnamese}``).

Every area of the code keeps its own small dict file, so parallel work never edits
the same lines; ``make translations`` extracts, updates, fills and compiles.
"""

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def main(paths: list[str]) -> None:
    paths = paths or sorted(str(p) for p in PO.parent.parent.parent.glob("vi_*.py"))
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
