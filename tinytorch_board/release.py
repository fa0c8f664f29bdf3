"""The release lock: this package and every dependency, pinned with hashes.

A release is built in three steps (.github/workflows/release.yml, scripts/release.py):
the sdist; the lock, naming that sdist by its hash plus requirements/lock.txt's pinned
dependencies; then the wheel, which ships the lock as tinytorch_board/_release/
requirements.txt. (The wheel cannot name its own hash, so the lock names the sdist; pip
picks the file whose hash matches.) Boards install from that lock with --require-hashes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tinytorch_board import __version__
from tinytorch_board.errors import BoardError

PACKAGE = "tinytorch-board"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


@dataclass(frozen=True)
class Pin:
    """One locked requirement: name==version with its allowed sha256 hashes."""

    name: str
    version: str
    hashes: tuple[str, ...]

    @property
    def key(self) -> str:
        return re.sub(r"[-_.]+", "-", self.name).lower()

    def lines(self) -> list[str]:
        return [f"{self.name}=={self.version} \\"] + [
            f"    --hash=sha256:{h}" + (" \\" if i < len(self.hashes) - 1 else "")
            for i, h in enumerate(self.hashes)
        ]


def parse_lock(text: str, source: str = "lock file") -> dict[str, Pin]:
    """Pins by normalised name; every requirement must be `name==version` with hashes."""
    joined = re.sub(r"\\\s*\n", " ", text)
    pins: dict[str, Pin] = {}
    for number, raw in enumerate(joined.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        match = _PIN.match(line)
        hashes = tuple(_HASH.findall(line))
        if match is None or not hashes:
            raise BoardError(f"{source}: requirement {number} is not `name==version --hash=...`")
        pin = Pin(match.group(1), match.group(2), hashes)
        pins[pin.key] = pin
    return pins


def file_pin(path: Path, name: str = PACKAGE, version: str = __version__) -> Pin:
    """A pin naming one distribution file (an sdist or a wheel) by its sha256."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return Pin(name, version, (digest,))


def render_lock(own: Pin, dependencies: dict[str, Pin]) -> str:
    """The lock text: a header, this package, then its dependencies by name."""
    lines = [
        f"# {PACKAGE} {own.version} and its dependencies, pinned with hashes.",
        "# Install with: python -m pip install --require-hashes --no-deps -r THIS_FILE",
        "# Written by the release (and by `tinytorch-board board upgrade`); do not edit.",
        *own.lines(),
    ]
    for key in sorted(dependencies):
        if key != own.key:
            lines += dependencies[key].lines()
    return "\n".join(lines) + "\n"


def shipped_lock() -> str | None:
    """The lock this installed release was built with (None in a development copy)."""
    found = resources.files("tinytorch_board").joinpath("_release/requirements.txt")
    return found.read_text(encoding="utf-8") if found.is_file() else None


def release_of(lock: dict[str, Pin]) -> str | None:
    own = lock.get(PACKAGE)
    return own.version if own else None


def describe() -> str:
    """The running release, as `--version` and the bot's comments show it."""
    if shipped_lock() is None:
        return f"{__version__} (no release lock shipped: a source or development install)"
    return __version__


def lock_changes(old: dict[str, Pin], new: dict[str, Pin]) -> list[str]:
    """One line per requirement added, removed or moved to another version or file."""
    out = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before is None and after is not None:
            out.append(f"+ {after.name} {after.version}")
        elif after is None and before is not None:
            out.append(f"- {before.name} {before.version}")
        elif before and after and before.version != after.version:
            out.append(f"~ {after.name} {before.version} -> {after.version}")
        elif before and after and set(before.hashes) != set(after.hashes):
            out.append(f"~ {after.name} {after.version} (other files)")
    return out


def check_tag(tag: str, version: str = __version__) -> None:
    """A release tag is `v` + the package version, exactly."""
    if tag != f"v{version}":
        raise BoardError(
            f"tag {tag!r} does not match the package version {version}; "
            f"set __version__ in tinytorch_board/__init__.py and tag v{version}"
        )
