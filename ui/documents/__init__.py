"""Documents in the desktop application: ``DocumentDialog`` to make one (choose, preview,
save, print) and ``DocumentsPanel`` listing what left the vault from a case (saved or
printed), for the case workspace's Documents tab."""

from .dialog import DocumentDialog
from .panel import DocumentsPanel

__all__ = ["DocumentDialog", "DocumentsPanel"]
