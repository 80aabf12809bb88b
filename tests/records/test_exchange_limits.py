"""Imports that cannot exhaust the machine: a spreadsheet that unpacks a thousandfold, a
file of millions of rows, a cell of megabytes — each refused with the limit named, read as
a stream so memory stays small, and nothing imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from shelter_app.errors import ValidationError
from shelter_app.exchange import tables
from tests.records.conftest import Org

ROOT = Path(__file__).resolve().parents[2]


def bomb(path: Path, megabytes: int = 40) -> Path:
    """An XLSX whose one sheet is *megabytes* of the same row, packed to almost nothing."""
    row = b'<row><c t="inlineStr"><is><t>Zqxbomb</t></is></c></row>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("[Content_Types].xml", "<Types/>")
        with packed.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for _i in range(megabytes * 1024 * 1024 // len(row)):
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return path


def test_a_spreadsheet_that_unpacks_a_thousandfold_is_refused_unread(org: Org,
                                                                     tmp_path: Path) -> None:
    path = bomb(tmp_path / "cases.xlsx")
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(ValidationError, match="more than 100 times its size"):
        org.coordinator.exchange.import_file(path, dry_run=True)
    assert org.count("cases") == 0


def test_a_file_beyond_the_row_limit_is_refused_naming_it(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("legal_name,gender\n")
        for i in range(tables.MAX_ROWS + 1):
            out.write(f"Zqxmany Person {i},woman\n")
    with pytest.raises(ValidationError, match=r"more than .*20,?000.* rows"):
        org.coordinator.exchange.import_file(path)
    assert org.count("cases") == 0


def test_a_cell_of_megabytes_is_refused(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "cell.csv"
    path.write_text("legal_name,safety_plan\nZqxcell Person," + "x" * (tables.MAX_CELL_CHARS + 1)
                    + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="holds more than"):
        org.coordinator.exchange.import_file(path, dry_run=True)


def test_only_the_known_columns_are_kept_and_wide_files_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("legal_name,their_notes\nAna,long private note\n", encoding="utf-8")
    header, rows = tables.read_table(path, keep={"legal_name"})
    assert header == ["legal_name", "their_notes"] and rows == [{"legal_name": "Ana"}]
    path.write_text(",".join(f"c{i}" for i in range(tables.MAX_COLUMNS + 1)) + "\n",
                    encoding="utf-8")
    with pytest.raises(ValidationError, match="more than 500 columns"):
        tables.read_table(path)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_reading_a_huge_file_stays_small_in_memory(tmp_path: Path, kind: str) -> None:
    """Measured in a process of its own: the most it holds while refusing a 60 MB CSV of a
    million rows, or the spreadsheet bomb, stays far under 300 MB."""
    path = tmp_path / f"huge.{kind}"
    if kind == "csv":
        with path.open("w", encoding="utf-8") as out:
            out.write("legal_name,gender\n")
            chunk = "Zqxhuge Person With A Long Enough Name,woman\n" * 20_000
            for _i in range(60 * 1024 * 1024 // len(chunk)):
                out.write(chunk)
    else:
        bomb(path, megabytes=100)
    # the high-water mark of this process alone: reset first (a process started by
    # another may begin with its parent's), read from the kernel at the end
    script = textwrap.dedent(f"""
        from pathlib import Path
        from shelter_app.errors import ValidationError
        from shelter_app.exchange import tables
        Path("/proc/self/clear_refs").write_text("5")
        try:
            tables.read_table(Path({str(path)!r}))
            print("read")
        except ValidationError as exc:
            print("refused:", exc)
        status = Path("/proc/self/status").read_text()
        print(next(int(l.split()[1]) // 1024 for l in status.splitlines()
                   if l.startswith("VmHWM:")))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    verdict, peak = done.stdout.strip().splitlines()
    assert verdict.startswith("refused:"), done.stdout
    assert int(peak) < 300, f"{peak} MB at the most"
