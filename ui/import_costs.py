"""Two third-party import habits that cost RingDesk memory and start-up time for nothing.

- PySide6 (PYSIDE-2029) reads the whole source of every module imported after it, through
  ``inspect.getsource`` and so into ``linecache``, only to see whether it mentions "PySide6"
  (which decides how ``from __feature__ import snake_case`` applies to it). RingDesk never
  uses ``__feature__``. Measured on the app's imports: 172,000 cached source lines, 17 MB of
  RSS kept for the life of the process and ~100 ms of start-up. Decided from the module's
  package instead: the answer only matters to ``__feature__`` switching.
- httpx imports its command-line tool on import (``click``, ``pygments``, then gives up
  without ``rich``). RingDesk never runs it.
"""

from __future__ import annotations

import linecache
import sys
from types import ModuleType

# Packages whose modules use PySide6; everything else is "ignored" by __feature__ switching.
QT_PACKAGES = frozenset({"ui", "PySide6", "shiboken6", "qasync", "pytestqt", "__main__"})


def avoid_needless_import_costs() -> None:
    """Call before the app's own imports (``ui.main`` does)."""
    _stop_pyside_reading_module_sources()
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # importing it fails fast


def uses_pyside(module: ModuleType) -> bool:
    return str(getattr(module, "__name__", "")).partition(".")[0] in QT_PACKAGES


def _stop_pyside_reading_module_sources() -> None:
    import PySide6.QtCore  # noqa: F401  # loads shiboken's support package and its import hook

    feature = sys.modules.get("PySide6.support.feature")
    if feature is not None and hasattr(feature, "_mod_uses_pyside"):
        vars(feature)["_mod_uses_pyside"] = uses_pyside
        linecache.clearcache()  # what it read while PySide6 itself was imported
