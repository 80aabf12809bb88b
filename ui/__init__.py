"""The desktop application (PySide6): windows, dialogs and background operations.

The only package that imports Qt.  It never runs SQL and never builds PDFs itself: it calls
``shelter_app.services`` (built once per sign-in by ``ui.controller.AppController``), the
``Vault`` and ``save_recovery_sheet``.  Start at ``ui.app.main``.
"""
