"""The desktop application (PySide6): windows, dialogs and background operations.

The only package that imports Qt.  It never runs SQL and never builds PDFs itself: it calls
``shelter_app.services`` (built once per sign-in by ``ui.controller.AppController``), the
``Vault`` and ``save_recovery_sheet``.  Start at ``ui.app.main``.
"""

import contextlib

with contextlib.suppress(ImportError):  # Qt missing: ui.app says so in words
    from .binding import guard_none_refcount

    guard_none_refcount()  # before any window exists: see ui/binding.py
