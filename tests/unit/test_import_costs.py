"""PySide6 must not keep the source of every imported module, and httpx must not import its
command-line tool: both cost the running app memory and start-up time for nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

import ui.contacts_pane
from ui.import_costs import uses_pyside

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, linecache, sys
if sys.argv[1] == "avoided":
    from ui.import_costs import avoid_needless_import_costs
    avoid_needless_import_costs()
else:
    import PySide6.QtCore
import httpx, pydantic, ui.contacts_pane
print(json.dumps({
    "cached_lines": sum(len(entry[2]) for entry in linecache.cache.values()),
    "click": "click" in sys.modules,
    "httpx_feature": sys.modules["PySide6.support.feature"].pyside_feature_dict.get("httpx"),
}))
"""


def probe(mode: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.splitlines()[-1])


def test_pyside_no_longer_caches_module_sources_and_httpx_skips_its_cli() -> None:
    avoided = probe("avoided")
    assert avoided["cached_lines"] == 0
    assert avoided["click"] is False
    assert avoided["httpx_feature"] == -1  # __feature__ switching still skips non-Qt modules


def test_without_it_pyside_reads_every_module_it_sees() -> None:
    """The baseline the test above is measured against: if PySide6 stops doing this, the
    workaround can go."""
    baseline = probe("baseline")
    assert isinstance(baseline["cached_lines"], int) and baseline["cached_lines"] > 20_000


def test_qt_modules_are_told_from_the_others_by_their_package() -> None:
    assert uses_pyside(ui.contacts_pane)
    assert not uses_pyside(httpx) and not uses_pyside(json)
