"""Reading and writing spreadsheets: CSV (UTF-8) and XLSX, safely.

Export neutralises cells a spreadsheet would run as a formula by putting an apostrophe in
front; import removes exactly that apostrophe, so an exported file imports back unchanged.
A CSV that is not UTF-8 is refused with the encoding it seems to be, unless one is given:
guessing wrong would silently change names.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from shelter_app.errors import ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.vault.fileio import write_new_file

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
MAX_FILE_BYTES = 200 * 1024 * 1024
# What one import may hold, whatever the file says about itself: read as a stream and
# refused at the first row, column or cell beyond, so memory stays bounded (a 574 KB
# spreadsheet can unpack to 164 MB of XML and a million rows).
MAX_ROWS = 20_000
MAX_COLUMNS = 500
MAX_CELL_CHARS = 1_000_000  # a timeline or casework cell (JSON) may be long; never longer
MAX_XLSX_UNPACKED = 120 * 1024 * 1024  # every part of the spreadsheet, unpacked
MAX_XLSX_RATIO = 100  # unpacked to packed, per part (spreadsheets pack some 5 to 20 times)


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


def require_new(*paths: Path) -> None:
    """Refuse before any work when one of *paths* exists: files that go together are all
    new, or none is written (each is then written by ``write_new_file``, which refuses
    again)."""
    for path in paths:
        if path.exists():
            raise ValidationError(fill(_("{name} already exists. Choose another file name."),
                                       name=path.name), "path")


def write_new_text(path: Path, text: str) -> None:
    """Write a new UTF-8 text file (refusing to overwrite one)."""
    write_new_file(path, text.encode("utf-8"))


def read_table(path: Path, *, encoding: str | None = None,
               mapping: dict[str, Any] | None = None, keep: set[str] | None = None
               ) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) from a CSV or XLSX file; headers renamed through *mapping*'s
    ``columns`` (their heading → our column).  Only the columns in *keep* (when given) are
    kept in each row.  Refuses, naming the limit, a file beyond ``MAX_ROWS`` rows,
    ``MAX_COLUMNS`` columns or ``MAX_CELL_CHARS`` characters in a cell, and a spreadsheet
    that unpacks beyond ``MAX_XLSX_UNPACKED`` or more than ``MAX_XLSX_RATIO`` times."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ValidationError(_("There is no file {name}.").format(name=path.name)) from exc
    if size > MAX_FILE_BYTES:
        raise ValidationError(_("The file is too large to import (over 200 MB)."))
    with path.open("rb") as f:
        head = f.read(4)
    lines = _xlsx_rows(path) if head == b"PK\x03\x04" else _csv_rows(path, encoding)
    renames = (mapping or {}).get("columns", {})
    header: list[str] = []
    out: list[dict[str, str]] = []
    for number, raw in enumerate(lines):
        if number == 0:
            header = [renames.get(h, h) for h in (c.strip() for c in raw)]
            _check_header(header)
            wanted = [i for i, h in enumerate(header) if keep is None or h in keep]
            continue
        if number > MAX_ROWS:
            raise ValidationError(fill(_(
                "The file has more than {n} rows. Nothing was imported: split it into files "
                "of at most {n} rows."), n=MAX_ROWS), "rows")
        if len(raw) > MAX_COLUMNS:
            raise ValidationError(fill(_(
                "Row {row} has more than {n} columns. Nothing was imported."),
                row=number + 1, n=MAX_COLUMNS), "columns")
        out.append({header[i]: restore(raw[i]) if i < len(raw) else "" for i in wanted})
    if not header:
        raise ValidationError(_("{name} is empty.").format(name=path.name))
    return header, out


def _check_header(header: list[str]) -> None:
    if len(header) > MAX_COLUMNS:
        raise ValidationError(fill(_("The file has more than {n} columns. Nothing was "
                                     "imported."), n=MAX_COLUMNS), "columns")
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:  # which of the two would be read is a guess: neither is
        raise ValidationError(fill(_("The file has the column {columns} more than once (after "
                                     "the mapping, if one was given). Nothing was imported: "
                                     "keep one column of each name."),
                                   columns=", ".join(twice)), "header")


def _csv_rows(path: Path, encoding: str | None) -> Iterator[list[str]]:
    """The rows of a CSV file, read as a stream in *encoding* (UTF-8 by default: another
    is refused with the encoding it seems to be, read from its first 200 KB)."""
    name = path.name
    with path.open("rb") as raw:
        sample = raw.read(200_000)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise ValidationError(_("{name} cannot be read as {encoding}.").format(
                name=name, encoding=encoding)) from exc
    chosen = encoding or "utf-8-sig"
    csv.field_size_limit(MAX_CELL_CHARS)
    with path.open("r", encoding=chosen, errors="strict", newline="") as text:
        try:
            first = text.readline(MAX_CELL_CHARS)
            if not first:
                raise ValidationError(_("{name} is empty.").format(name=name))
            first = first.removeprefix("\ufeff")  # a byte-order mark, whatever the encoding
            # The delimiter is read from the header line alone; the quote is always '"'.
            # (csv.Sniffer looks at the data too, and free text such as "code word 'blue'"
            # makes it choose the apostrophe as the quote and a space as the delimiter.)
            delimiter = max((",", ";", "\t"), key=first.count)
            reader = csv.reader(itertools.chain([first], _no_nul(text, name)),
                                delimiter=delimiter)
            yield from reader
        except UnicodeError as exc:  # a byte the encoding has no letter for, or no BOM
            if encoding:
                raise ValidationError(_("{name} cannot be read as {encoding}.").format(
                    name=name, encoding=encoding)) from exc
            raise _not_utf8(name, sample) from exc
        except csv.Error as exc:
            reason = str(exc)
            if "field larger than field limit" in reason:
                raise ValidationError(fill(_(
                    "A cell of {name} holds more than {n} characters. Nothing was imported."),
                    name=name, n=MAX_CELL_CHARS), "cell") from exc
            raise ValidationError(_("{name} is not a well-formed CSV file ({reason}).").format(
                name=name, reason=reason)) from exc


def _no_nul(text: Iterator[str], name: str) -> Iterator[str]:
    for line in text:
        if "\x00" in line:
            raise ValidationError(_("{name} is not a text CSV file.").format(name=name))
        yield line


def _not_utf8(name: str, sample: bytes) -> ValidationError:
    guesses = guess_encodings(sample)
    if not guesses:
        return ValidationError(
            _("{name} is not UTF-8 text, and its encoding cannot be told. Nothing was "
              "imported. Save it as 'CSV UTF-8', or import it with --encoding NAME.")
            .format(name=name))
    guess = guesses[0]
    if len(guesses) > 1:
        guess += " " + _("(or perhaps {others})").format(others=", ".join(guesses[1:4]))
    return ValidationError(
        _("{name} is not UTF-8 text; it looks like {guess}. Nothing was imported. Save "
          "it as 'CSV UTF-8', or import it with --encoding {encoding}.").format(
            name=name, guess=guess, encoding=guesses[0]))


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


def _check_packed(path: Path) -> None:
    """Refuse a spreadsheet whose parts unpack beyond the limits, from the sizes its own
    directory declares (reading a part stops at its declared size: a part that lies is
    refused as damaged by the reader)."""
    try:
        with zipfile.ZipFile(path) as packed:
            parts = packed.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(_("The spreadsheet cannot be read; it may be damaged.")) from exc
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_XLSX_UNPACKED:
        raise ValidationError(fill(_(
            "The spreadsheet unpacks to {size} MB, more than the {limit} MB an import may "
            "hold. Nothing was imported: split it, or save it as CSV."),
            size=unpacked // (1024 * 1024), limit=MAX_XLSX_UNPACKED // (1024 * 1024)),
            "file")
    for part in parts:
        if part.file_size > 1024 * 1024 and part.file_size > MAX_XLSX_RATIO * max(
                part.compress_size, 1):
            raise ValidationError(fill(_(
                "The spreadsheet unpacks to more than {ratio} times its size, as no real "
                "spreadsheet does. Nothing was imported: save it again as CSV, or check "
                "where it came from."), ratio=MAX_XLSX_RATIO), "file")


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    import datetime as dt

    from openpyxl import load_workbook

    _check_packed(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationError(_("The spreadsheet cannot be read; it may be damaged.")) from exc
    try:
        sheet = book.worksheets[0]
        empty = True
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
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
                    text = str(value)
                    if len(text) > MAX_CELL_CHARS:
                        raise ValidationError(fill(_(
                            "A cell of the spreadsheet holds more than {n} characters. "
                            "Nothing was imported."), n=MAX_CELL_CHARS), "cell")
                    cells.append(text)
            while cells and cells[-1] == "":  # a formatted but empty cell at the row's end
                cells.pop()
            empty = False
            yield cells
        if empty:
            raise ValidationError(_("The spreadsheet is empty."))
    except ValidationError:
        raise
    except Exception as exc:  # a part that lies about its size, or other damage
        raise ValidationError(_("The spreadsheet cannot be read; it may be damaged.")) from exc
    finally:
        book.close()


def load_mapping(path: Path) -> dict[str, Any]:
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(_("The mapping file cannot be read as JSON.")) from exc
    if not isinstance(mapping, dict) or not isinstance(mapping.get("columns", {}), dict):
        raise ValidationError(_("The mapping file needs a \"columns\" object: "
                                "{\"Their heading\": \"our_column\"}."))
    return mapping
