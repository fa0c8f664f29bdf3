"""PNG share cards kept between builds, by content.

A card shows only what stays true of a result, so a card drawn once is right for every
later build: the build looks each distinct card up here by its content's name and draws
(`cards.card_png`) only the missing ones. The Pages workflow restores and saves this
folder on the default branch only. Files are named `<20 hex>.png` inside a folder named
after the drawing's format, so a new renderer or palette never reuses old pictures.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from tinytorch_board.cards import PNG_FORMAT

_CARD_FILE = re.compile(r"^[0-9a-f]{20}\.png$")


class CardCache:
    """A folder of PNG cards; None path: no cache (every card is drawn)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) / PNG_FORMAT if folder else None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)

    def get(self, name: str) -> bytes | None:
        if self.folder is None:
            return None
        try:
            with open(self.folder / f"{name}.png", "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        return data if data[:8] == b"\x89PNG\r\n\x1a\n" else None

    def put(self, name: str, data: bytes) -> None:
        """Atomically (temp file + rename), so a killed build leaves no half picture."""
        if self.folder is None:
            return
        temp = self.folder / f".{name}.{os.getpid()}.tmp"
        temp.write_bytes(data)
        os.replace(temp, self.folder / f"{name}.png")

    def keep_only(self, names: set[str]) -> int:
        """Remove the cards this build did not use (and older formats' folders' cards),
        so the saved cache stays the size of one site's cards; returns how many went."""
        if self.folder is None:
            return 0
        removed = 0
        for path in self.folder.iterdir():
            if _CARD_FILE.match(path.name) and path.name[:-4] not in names:
                path.unlink(missing_ok=True)
                removed += 1
        for other in self.folder.parent.iterdir():
            if other.is_dir() and other != self.folder and other.name.startswith("png-"):
                for path in other.iterdir():
                    if _CARD_FILE.match(path.name):
                        path.unlink(missing_ok=True)
                        removed += 1
                try:
                    other.rmdir()
                except OSError:
                    pass
        return removed
