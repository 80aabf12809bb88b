"""Documents in the desktop application: ``DocumentDialog`` to make one (choose, preview,
save, print) and ``DocumentsPanel`` listing what was produced from a case, for the case
workspace's Documents tab."""

from .dialog import DocumentDialog
from .panel import DocumentsPanel

__all__ = ["DocumentDialog", "DocumentsPanel"]
