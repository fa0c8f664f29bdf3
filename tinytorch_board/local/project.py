"""Where the student's TinyTorch project is, and where each of our files lives in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Folders a TinyTorch checkout has (tito's own state, the student's package, the module
# sources, tito itself), and the project's community folder. `.tinytorch/` alone is no
# marker: current tito keeps its profile in ~/.tinytorch/, which says nothing about a project.
CHECKOUT_MARKERS = ("tinytorch", "modules", "tito")
MARKERS = (".tito", *CHECKOUT_MARKERS, ".tinytorch/community")
MARKERS_TEXT = ".tito/, tinytorch/, modules/, tito/ or .tinytorch/community/"


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):
        return None


def is_project_root(candidate: Path, home: Path | None = None) -> bool:
    """True when candidate holds a TinyTorch project's markers.

    The home folder counts only with a checkout's own folders (tinytorch/, modules/, tito/):
    tito and earlier versions of this tool leave ~/.tinytorch/ and ~/.tito/ behind there.
    """
    markers = CHECKOUT_MARKERS if home is not None and candidate == home else MARKERS
    return any((candidate / marker).is_dir() for marker in markers)


def find_project_root(start: Path | None = None) -> Path | None:
    """The nearest ancestor of start (itself included) that is a project root, or None."""
    start = Path(start or Path.cwd()).resolve()
    home = _home()
    for candidate in (start, *start.parents):
        if is_project_root(candidate, home):
            return candidate
    return None


@dataclass(frozen=True)
class Project:
    """Paths inside one TinyTorch project; nothing here touches the disk."""

    root: Path
    # False when no project was found and root is only the working directory.
    found: bool = True

    @classmethod
    def discover(cls, project_dir: Path | None = None) -> Project:
        if project_dir is not None:
            return cls(Path(project_dir).resolve())
        root = find_project_root()
        if root is None:
            return cls(Path.cwd().resolve(), found=False)
        return cls(root)

    def outside_note(self) -> str | None:
        """One line saying no project was found and where files will go; None inside one."""
        if self.found:
            return None
        return (
            f"Not inside a TinyTorch project (no {MARKERS_TEXT} here or above): "
            f"results go to {self.benchmarks_dir}; pass --project-dir DIR to choose."
        )

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

    @property
    def board_profile_path(self) -> Path:
        """Ours: the ids and answers a TinyTorch-shaped profile has no place for."""
        return self.tinytorch_dir / "community" / "board.json"

    @staticmethod
    def home_profile_path() -> Path:
        """Current tito's profile (name, e-mail, ...) in the home folder: read only."""
        return Path.home() / ".tinytorch" / "profile.json"
