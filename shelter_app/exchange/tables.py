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
            from charset_normalizer import from_bytes

            best = from_bytes(data[:200_000]).best()
            guess = best.encoding if best else _("an unknown encoding")
            raise ValidationError(
                _("{name} is not UTF-8 text; it looks like {guess}. Nothing was imported. Save "
                  "it as 'CSV UTF-8', or import it with --encoding {guess}.").format(
                    name=name, guess=guess)) from exc
    if "\x00" in text:
        raise ValidationError(_("{name} is not a text CSV file.").format(name=name))
    try:
        dialect = csv.Sniffer().sniff(text[:10_000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    csv.field_size_limit(20 * 1024 * 1024)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ValidationError(_("{name} is not a well-formed CSV file ({reason}).").format(
            name=name, reason=str(exc))) from exc
    if not rows:
        raise ValidationError(_("{name} is empty.").format(name=name))
    return [h.strip() for h in rows[0]], rows[1:]


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
