from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.desktop import Desktop, missing_tools, running_desktop


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    missing = missing_tools()
    if missing:
        message = f"end-to-end tools missing: {', '.join(missing)} (scripts/run-tests installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with running_desktop(tmp_path / "desktop") as desk:
        yield desk
