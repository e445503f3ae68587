"""Entry point of the PyInstaller bundle.

A frozen app has no ``python -m``: ``ringdesk --demo`` starts its embedded server as
``sys.executable -m app.demo ...``, which in the bundle is this program again, so that
command line is served here.
"""

from __future__ import annotations

import sys


def _run() -> int:
    if getattr(sys, "frozen", False) and sys.argv[1:3] == ["-m", "app.demo"]:
        from app.demo.__main__ import main as demo_main

        return demo_main(sys.argv[3:])
    from ui.main import main

    return main()


if __name__ == "__main__":
    sys.exit(_run())
