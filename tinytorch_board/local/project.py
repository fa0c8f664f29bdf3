"""Where the student's TinyTorch project is, and where each of our files lives in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MARKERS = (".tito", ".tinytorch")


def find_project_root(start: Path | None = None) -> Path:
    """The nearest ancestor of start holding .tito/ or .tinytorch/, else start itself."""
    start = Path(start or Path.cwd()).resolve()
    for candidate in (start, *start.parents):
        if any((candidate / marker).is_dir() for marker in MARKERS):
            return candidate
    return start


@dataclass(frozen=True)
class Project:
    """Paths inside one TinyTorch project; nothing here touches the disk."""

    root: Path

    @classmethod
    def discover(cls, project_dir: Path | None = None) -> Project:
        if project_dir is not None:
            return cls(Path(project_dir).resolve())
        return cls(find_project_root())

    @property
    def benchmarks_dir(self) -> Path:
        return self.root / ".tito" / "benchmarks"

    @property
    def tinytorch_dir(self) -> Path:
        return self.root / ".tinytorch"

    @property
    def outbox_dir(self) -> Path:
        return self.tinytorch_dir / "submissions"

    @property
    def profile_path(self) -> Path:
        return self.tinytorch_dir / "community" / "profile.json"

    @property
    def config_path(self) -> Path:
        return self.tinytorch_dir / "config.json"

    @property
    def cache_dir(self) -> Path:
        return self.tinytorch_dir / "cache"

    # TinyTorch's own files: read only.
    @property
    def progress_path(self) -> Path:
        return self.root / "progress.json"

    @property
    def tito_progress_path(self) -> Path:
        return self.root / ".tito" / "progress.json"

    @property
    def tito_milestones_path(self) -> Path:
        return self.root / ".tito" / "milestones.json"

    @property
    def tito_config_path(self) -> Path:
        return self.root / ".tito" / "config.json"
