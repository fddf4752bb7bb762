"""Fill a gettext catalogue from a JSON dictionary of translations (msgid -> msgstr).

Usage: python scripts/po_fill.py path/to/django.po translations.json
Only empty or fuzzy entries are filled; the fuzzy flag is removed when filled."""

import json
import sys

import polib


def main() -> None:
    po = polib.pofile(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as fh:
        table = json.load(fh)
    filled = 0
    for entry in po:
        if entry.msgid in table and (not entry.msgstr or "fuzzy" in entry.flags):
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            filled += 1
    po.save()
    missing = [e.msgid for e in po if not e.msgstr and not e.obsolete]
    print(f"filled {filled}; untranslated {len(missing)}: {missing[:20]}")


if __name__ == "__main__":
    main()
