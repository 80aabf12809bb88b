"""PDF documents built in memory with reportlab, through one shared layout module.

Importing this package first registers the right-to-left adapter reportlab looks for
(``bidi``) and the fixes for shaped text (``shaping``), so every document module below gets
reportlab with them in place.
"""

from shelter_app.documents import bidi as _bidi

_bidi.install()

from reportlab import rl_config  # noqa: E402

from shelter_app.documents import shaping as _shaping  # noqa: E402  (after the adapter)

_shaping.install()
# Binary streams, not ASCII85: reportlab encodes ASCII85 in pure Python, which made placing
# four photos in a packet take seconds, and the file a quarter larger.
rl_config.useA85 = 0
