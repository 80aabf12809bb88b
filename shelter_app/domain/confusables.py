"""User names that could be taken for another (Unicode Technical Standard #39).

Two checks, as TR39 describes them for identifiers:

- **Mixed scripts.** A name whose letters come from more than one script (``аdmin`` with a
  Cyrillic а, ``pаypal``) is refused; digits and punctuation belong to no script and mix
  with any.  A name wholly in one script (``мария``, ``محمد``, ``ana.lopez``) is fine.
- **Skeletons.** Each character is replaced by the one it is confusable with, after
  Unicode's confusables data (``confusables.txt``, as packaged by confusable-homoglyphs):
  an ASCII letter or digit where the group has one, else the group's lowest code point;
  then case is folded.  Two names with the same skeleton look the same (``admin``,
  ``ADMIN``, ``аdmin``; ``ana1`` and ``anal``), and a new account may not take one
  that an existing account's skeleton already has.

The data is read the first time a name is checked (adding an account), never at start-up.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path

NO_SCRIPT = frozenset({"COMMON", "INHERITED"})


@cache
def _prototypes() -> dict[str, str]:
    import confusable_homoglyphs

    data = json.loads((Path(confusable_homoglyphs.__file__).parent / "confusables.json")
                      .read_text("utf-8"))
    table: dict[str, str] = {}
    for char, glyphs in data.items():
        if len(char) != 1:
            continue
        group = [char, *(g["c"] for g in glyphs if len(g["c"]) == 1)]
        plain = [c for c in group if c.isascii() and c.isalnum()]
        table[char] = min(plain) if plain else min(group)
    return table


def skeleton(name: str) -> str:
    """The form *name* shares with every name that looks like it."""
    table = _prototypes()
    mapped = "".join(table.get(c, c) for c in unicodedata.normalize("NFD", name))
    # Folding case can make a character that has a prototype of its own (Σ → σ → ς …).
    folded = unicodedata.normalize("NFD", mapped.casefold())
    return "".join(table.get(c, c) for c in folded)


def scripts(name: str) -> set[str]:
    """The scripts of *name*'s letters (``{"LATIN"}``, ``{"CYRILLIC", "LATIN"}``)."""
    from confusable_homoglyphs import categories

    return {alias for alias in categories.unique_aliases(name) if alias not in NO_SCRIPT}
