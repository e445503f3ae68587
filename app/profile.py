"""Where one run of RingDesk keeps its settings, cache and logs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

APP_NAME = "RingDesk"


@dataclass(frozen=True, slots=True)
class Profile:
    config_dir: Path
    data_dir: Path
    log_dir: Path

    @classmethod
    def at(cls, root: Path) -> Profile:
        """Everything under one directory (``--profile DIR``)."""
        root = root.expanduser().resolve()
        return cls(root / "config", root / "data", root / "logs")

    @classmethod
    def default(cls) -> Profile:
        """The platform's usual places (XDG on Linux)."""
        import platformdirs

        dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
        return cls(Path(dirs.user_config_dir), Path(dirs.user_data_dir), Path(dirs.user_log_dir))

    def create(self) -> Profile:
        for path in (self.config_dir, self.data_dir, self.log_dir):
            path.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def cache_path(self) -> Path:
        return self.data_dir / "cache.sqlite3"

    @property
    def cache_dir(self) -> Path:
        """Files kept only to save downloads (voicemail recordings, ...); safe to delete."""
        return self.data_dir / "cache"

    @property
    def log_path(self) -> Path:
        return self.log_dir / "ringdesk.log"

    @property
    def settings_path(self) -> Path:
        return self.config_dir / "settings.json"
