"""Before Qt starts: will its X11 (xcb) platform plugin find the libraries it needs?

Without them Qt prints a cryptic "could not load the Qt platform plugin xcb" and aborts
the process.  This module has no Qt import, so it can run before ``QApplication`` exists.
"""

from __future__ import annotations

import ctypes.util
import sys
from collections.abc import Callable, Mapping

from shelter_app.i18n import _

# library name for ctypes.util.find_library -> Debian/Ubuntu package that provides it
XCB_LIBRARIES: dict[str, str] = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-randr": "libxcb-randr0",
    "xcb-shape": "libxcb-shape0",
    "xcb-sync": "libxcb-sync1",
    "xcb-xfixes": "libxcb-xfixes0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "X11-xcb": "libx11-xcb1",
}


def uses_xcb(env: Mapping[str, str], platform: str = sys.platform) -> bool:
    """True when Qt will pick its xcb plugin: Linux, an X display, no other platform asked."""
    if not platform.startswith("linux"):
        return False
    requested = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if requested not in ("", "xcb"):
        return False
    if not requested and env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY"):
        return False  # Qt will use Wayland
    return bool(env.get("DISPLAY"))


def missing_packages(find: Callable[[str], str | None] = ctypes.util.find_library) -> list[str]:
    return [package for library, package in XCB_LIBRARIES.items() if not find(library)]


def platform_problem(env: Mapping[str, str], platform: str = sys.platform,
                     find: Callable[[str], str | None] = ctypes.util.find_library) -> str | None:
    """A message to print instead of starting Qt, or None when all is well."""
    requested = env.get("QT_QPA_PLATFORM", "").strip()
    if (platform.startswith("linux") and not requested and not env.get("DISPLAY")
            and not env.get("WAYLAND_DISPLAY")):
        return _("Shelter App cannot open its window: no graphical display was found. Start "
                 "it from a desktop session (not from a remote terminal).")
    if not uses_xcb(env, platform):
        return None
    missing = missing_packages(find)
    if not missing:
        return None
    return _(
        "Shelter App cannot open its window: system libraries that Qt needs for the X11 "
        "display are missing. Install them, then start it again:\n"
        "    sudo apt-get install {packages}\n"
        "(The names are the Debian and Ubuntu package names; other systems name them "
        "similarly.)"
    ).format(packages=" ".join(missing))
