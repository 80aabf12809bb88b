"""Reading passphrases: from the terminal without echo, or one per line from stdin."""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from shelter_app.errors import ShelterError
from shelter_app.i18n import _


class PassphraseReader:
    """``--passphrase-stdin``: the acting user's passphrase first, then any new one."""

    def __init__(self, from_stdin: bool, stream: TextIO | None = None) -> None:
        self.from_stdin = from_stdin
        self._stream = stream or sys.stdin

    def _line(self, what: str) -> str:
        line = self._stream.readline()
        if not line:
            raise ShelterError(
                _("Standard input ended before the {what} was given (one passphrase per line).")
                .format(what=what)
            )
        return line.removesuffix("\n").removesuffix("\r")

    def _terminal(self, prompt: str) -> str:
        if not sys.stdin.isatty():
            raise ShelterError(
                _("No terminal to read a passphrase from. Use --passphrase-stdin to give "
                  "passphrases on standard input, one per line.")
            )
        try:
            return getpass.getpass(prompt)
        except (EOFError, KeyboardInterrupt) as exc:
            raise ShelterError(_("Cancelled; nothing was changed.")) from exc

    def current(self, what: str | None = None) -> str:
        what = what or _("passphrase")
        if self.from_stdin:
            return self._line(what)
        return self._terminal(_("Passphrase: ") if what == _("passphrase") else f"{what}: ")

    def new(self, what: str | None = None) -> str:
        """A new passphrase; asked twice on a terminal so a typo does not lock anyone out."""
        what = what or _("new passphrase")
        if self.from_stdin:
            return self._line(what)
        # Only the first letter: capitalize() would lower a user name inside *what*.
        first = self._terminal(_("{what}: ").format(what=what[:1].upper() + what[1:]))
        second = self._terminal(_("Repeat {what}: ").format(what=what))
        if first != second:
            raise ShelterError(_("The two entries differ; nothing was changed."))
        return first
