"""resources/: the desktop entry and AppStream metainfo pass the freedesktop validators, the
screenshots they show exist, and packaging/install.sh installs them for a user."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.domain.links import SCHEMES

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
APP_ID = "org.ringdesk.RingDesk"
DESKTOP = RESOURCES / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is missing (scripts/run-tests installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_entry_validates_and_registers_the_link_schemes() -> None:
    done = subprocess.run(
        [need("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0 and "error" not in done.stdout, done.stdout
    entry = desktop_entry(DESKTOP)
    assert set(entry["MimeType"].strip(";").split(";")) == {f"x-scheme-handler/{s}" for s in SCHEMES}
    assert entry["Exec"] == "ringdesk %u" and entry["Icon"] == APP_ID


def test_the_metainfo_validates() -> None:
    done = subprocess.run(
        [need("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_metainfo_names_the_desktop_entry_and_shows_screenshots_that_exist() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    images = [image.text or "" for image in root.iter("image")]
    assert len(images) >= 3
    for url in images:
        name = url.rsplit("/", 1)[-1]
        shot = RESOURCES / "screenshots" / name
        assert shot.is_file(), f"{url} has no {shot}"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_icon_is_the_apps_own_svg_not_a_copy() -> None:
    icon = RESOURCES / "icons" / f"{APP_ID}.svg"
    assert icon.is_symlink()
    assert icon.resolve() == (ROOT / "ui" / "assets" / "ringdesk.svg").resolve()


@pytest.mark.parametrize("xdg_data_home", [None, "custom-data"])
def test_install_sh_installs_for_the_current_user_and_uninstalls(
    tmp_path: Path, xdg_data_home: str | None
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": os.environ["PATH"]}
    data = home / ".local" / "share"
    if xdg_data_home:
        data = tmp_path / xdg_data_home
        env["XDG_DATA_HOME"] = str(data)
    command = tmp_path / "bin" / "ringdesk"
    script = ROOT / "packaging" / "install.sh"
    done = subprocess.run(
        ["bash", str(script), "--exec", str(command)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    entry = data / "applications" / f"{APP_ID}.desktop"
    icon = data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    metainfo = data / "metainfo" / f"{APP_ID}.metainfo.xml"
    for path in (entry, icon, metainfo):
        assert path.is_file() and not path.is_symlink(), path
    assert icon.read_bytes() == (ROOT / "ui" / "assets" / "ringdesk.svg").read_bytes()
    installed = desktop_entry(entry)
    assert installed["Exec"] == f"{command} %u" and installed["TryExec"] == str(command)
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(entry)], capture_output=True, text=True, timeout=30
        )
        assert check.returncode == 0, check.stdout

    bad = subprocess.run(
        ["bash", str(script), "--exec", "/opt/ring desk/ringdesk"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "without spaces" in bad.stderr

    gone = subprocess.run(
        ["bash", str(script), "--uninstall"], env=env, capture_output=True, text=True, timeout=60
    )
    assert gone.returncode == 0, gone.stderr
    assert not entry.exists() and not icon.exists() and not metainfo.exists()
    assert not re.search(str(home), gone.stderr)
