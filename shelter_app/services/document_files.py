"""Where a document's files go when it is saved, and writing them together: a residence
packet's filing bundle, its working papers beside it (FILE-working.pdf) and, when asked
for, editable copies of its letter and statement (FILE-letter.docx, FILE-statement.docx);
a referral packet and, when she wants it, the person's own copy (FILE-own-copy.pdf).
Every file is new (never written over) and readable by its owner only; when one cannot be
written, those already written are removed: all or none."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from shelter_app.vault.fileio import write_new_file


class Saved(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def pdf(self) -> bytes: ...
    @property
    def working(self) -> bytes | None: ...
    @property
    def editable(self) -> tuple[tuple[str, bytes], ...]: ...


# the second document of a kind, saved beside the first: what its name ends with
SECOND = {"residence": "working", "referral": "own-copy"}


def working_path(path: Path, kind: str = "residence") -> Path:
    """Where a document's second file goes, beside it: a residence packet's working papers
    (FILE-working.pdf), a referral's copy for the person (FILE-own-copy.pdf)."""
    return path.with_name(f"{path.stem}-{SECOND[kind]}{path.suffix}")


def editable_path(path: Path, name: str) -> Path:
    """Where an editable copy goes: beside the bundle, FILE-letter.docx, FILE-statement.docx."""
    return path.with_name(f"{path.stem}-{name}.docx")


def beside(path: Path, *, kind: str, second: bool | None = None,
           editable: tuple[str, ...] = ()) -> list[Path]:
    """Every file a document of *kind* saved as *path* writes, itself first; *second*:
    whether it has a second file (None: whether its kind always has one)."""
    has = second if second is not None else kind == "residence"
    return [path, *([working_path(path, kind)] if has and kind in SECOND else []),
            *(editable_path(path, name) for name in editable)]


def write_all(path: Path, produced: Saved) -> list[Path]:
    """Write the document and the files that go beside it; returns their paths."""
    files = [(path, produced.pdf)]
    if produced.working is not None:
        files.append((working_path(path, produced.kind), produced.working))
    files += [(editable_path(path, name), data) for name, data in produced.editable]
    written: list[Path] = []
    try:
        for target, data in files:
            write_new_file(target, data)
            written.append(target)
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    return written
