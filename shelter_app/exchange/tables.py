"""Reading and writing spreadsheets: CSV (UTF-8) and XLSX, safely.

Export neutralises cells a spreadsheet would run as a formula by putting an apostrophe in
front; import removes exactly that apostrophe, so an exported file imports back unchanged.
A CSV that is not UTF-8 is refused with the encoding it seems to be, unless one is given:
guessing wrong would silently change names.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shelter_app.errors import ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.vault.fileio import write_new_file

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
MAX_FILE_BYTES = 200 * 1024 * 1024


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def restore(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, str]]) -> int:
    """Write a new UTF-8 CSV (with BOM, so spreadsheet programs detect it); returns rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([neutralise(row.get(c, "")) for c in columns])
        count += 1
    write_new_file(path, ("\ufeff" + buffer.getvalue()).encode("utf-8"))
    return count


def write_new_text(path: Path, text: str) -> None:
    """Write a new UTF-8 text file (refusing to overwrite one)."""
    write_new_file(path, text.encode("utf-8"))


def read_table(path: Path, *, encoding: str | None = None,
               mapping: dict[str, Any] | None = None) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) from a CSV or XLSX file; headers renamed through *mapping*'s
    ``columns`` (their heading → our column)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ValidationError(_("There is no file {name}.").format(name=path.name)) from exc
    if size > MAX_FILE_BYTES:
        raise ValidationError(_("The file is too large to import (over 200 MB)."))
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        header, rows = _read_xlsx(data)
    else:
        header, rows = _read_csv(data, encoding, path.name)
    renames = (mapping or {}).get("columns", {})
    header = [renames.get(h, h) for h in header]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:  # which of the two would be read is a guess: neither is
        raise ValidationError(fill(_("The file has the column {columns} more than once (after "
                                     "the mapping, if one was given). Nothing was imported: "
                                     "keep one column of each name."),
                                   columns=", ".join(twice)), "header")
    out = []
    for raw in rows:
        cells = [restore(c) for c in raw] + [""] * (len(header) - len(raw))
        out.append(dict(zip(header, cells, strict=False)))
    return header, out


def _read_csv(data: bytes, encoding: str | None, name: str) -> tuple[list[str], list[list[str]]]:
    if encoding:
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ValidationError(_("{name} cannot be read as {encoding}.").format(
                name=name, encoding=encoding)) from exc
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            guesses = guess_encodings(data)
            if not guesses:
                raise ValidationError(
                    _("{name} is not UTF-8 text, and its encoding cannot be told. Nothing was "
                      "imported. Save it as 'CSV UTF-8', or import it with --encoding NAME.")
                    .format(name=name)) from exc
            guess = guesses[0]
            if len(guesses) > 1:
                guess += " " + _("(or perhaps {others})").format(others=", ".join(guesses[1:4]))
            raise ValidationError(
                _("{name} is not UTF-8 text; it looks like {guess}. Nothing was imported. Save "
                  "it as 'CSV UTF-8', or import it with --encoding {encoding}.").format(
                    name=name, guess=guess, encoding=guesses[0])) from exc
    text = text.removeprefix("\ufeff")  # a byte-order mark, whatever the encoding named
    if "\x00" in text:
        raise ValidationError(_("{name} is not a text CSV file.").format(name=name))
    # The delimiter is read from the header line alone; the quote is always '"'.  (csv.Sniffer
    # looks at the data too, and free text such as "code word 'blue'" makes it choose the
    # apostrophe as the quote and a space as the delimiter.)
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    csv.field_size_limit(20 * 1024 * 1024)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ValidationError(_("{name} is not a well-formed CSV file ({reason}).").format(
            name=name, reason=str(exc))) from exc
    if not rows:
        raise ValidationError(_("{name} is empty.").format(name=name))
    return [h.strip() for h in rows[0]], rows[1:]


# Among encodings that read the bytes equally well, the ones spreadsheet programs write
# by default (Windows "ANSI" code pages), most widely used first.
_PREFERRED_ENCODINGS = ("cp1252", "cp1251", "cp1250", "cp1256", "cp1254", "cp1257", "cp1253",
                        "cp1255", "cp1258")


def _letter_share(text: str) -> float:
    """How much of the non-ASCII text reads as letters ("Łukasz", not "£ukasz")."""
    import unicodedata

    wide = [ch for ch in text if ord(ch) > 127]
    if not wide:
        return 1.0
    return sum(unicodedata.category(ch).startswith(("L", "M")) for ch in wide) / len(wide)


def guess_encodings(data: bytes) -> list[str]:
    """Likely encodings of text that is not UTF-8, best first.  Short samples fit several
    code pages about equally (0xED is "í" in both cp1250 and cp1252); those that turn the
    bytes into letters rank first, then the common Windows defaults, so the first guess
    does not quietly change a letter in a name when there is a better one."""
    from charset_normalizer import from_bytes

    sample = data[:200_000]
    results = from_bytes(sample)
    best = results.best()
    if best is None:
        return []
    tied = {name for match in results
            if (match.chaos, match.coherence) == (best.chaos, best.coherence)
            for name in match.could_be_from_charset}
    candidates = [name for name in _PREFERRED_ENCODINGS if name in tied]
    if not candidates:
        return [str(best.encoding)]
    share = {name: _letter_share(sample.decode(name, errors="replace")) for name in candidates}
    top = max(share.values())
    return [name for name in candidates if share[name] == top]


def _read_xlsx(data: bytes) -> tuple[list[str], list[list[str]]]:
    import datetime as dt

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationError(_("The spreadsheet cannot be read; it may be damaged.")) from exc
    sheet = book.worksheets[0]
    rows: list[list[str]] = []
    for values in sheet.iter_rows(values_only=True):
        cells = []
        for value in values:
            if value is None:
                cells.append("")
            elif isinstance(value, dt.datetime):
                cells.append(value.date().isoformat() if value.time() == dt.time() else
                             value.isoformat(sep=" "))
            elif isinstance(value, dt.date):
                cells.append(value.isoformat())
            elif isinstance(value, float) and value.is_integer():
                cells.append(str(int(value)))
            else:
                cells.append(str(value))
        rows.append(cells)
    book.close()
    if not rows:
        raise ValidationError(_("The spreadsheet is empty."))
    return [h.strip() for h in rows[0]], rows[1:]


def load_mapping(path: Path) -> dict[str, Any]:
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(_("The mapping file cannot be read as JSON.")) from exc
    if not isinstance(mapping, dict) or not isinstance(mapping.get("columns", {}), dict):
        raise ValidationError(_("The mapping file needs a \"columns\" object: "
                                "{\"Their heading\": \"our_column\"}."))
    return mapping
