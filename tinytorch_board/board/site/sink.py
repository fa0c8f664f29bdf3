"""Where the site's files go: a staging folder written file by file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tinytorch_board.local.store import dumps


class Writer:
    """Plain writes into the staging folder (atomicity comes from the final swap).

    Creating hundreds of thousands of small files is bound by the file system, not by
    Python: one os.open/os.write/os.close per file, no temp file, no fsync (the staged
    folder is swapped in whole), folders made once. Files whose text many submissions
    share (README badges, shields endpoints) are written once and hard-linked: a link
    costs a directory entry, not a new inode (several times cheaper on ext4). Where
    links are not possible (another file system, too many links) the file is written.
    GitHub's Pages artifact (tar --hard-dereference) stores each link as a plain file.
    """

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self.made: set[str] = set()
        self.files = 0
        self.bytes = 0
        self._first: dict[str, str] = {}  # shared text -> the path first written with it

    def folder(self, relative: str) -> None:
        if relative not in self.made:
            os.makedirs(os.path.join(self.root, relative), exist_ok=True)
            self.made.add(relative)

    def text(self, relative: str, content: str, shared: bool = False) -> None:
        """Write one file; shared=True: another worker may write the same content."""
        folder, _, _ = relative.rpartition("/")
        if folder not in self.made:
            self.folder(folder)
        self._write(os.path.join(self.root, relative), content.encode("utf-8"), shared)

    def _write(self, path: str, data: bytes, shared: bool = False) -> None:
        flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if shared else os.O_TRUNC)
        try:
            fd = os.open(path, flags, 0o644)
        except FileExistsError:  # the same content, written by another worker
            return
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        self.files += 1
        self.bytes += len(data)

    def linked(self, relative: str, content: str) -> None:
        """A new file (in a folder already made) with text other files may share."""
        path = os.path.join(self.root, relative)
        first = self._first.get(content)
        if first is not None:
            try:
                os.link(first, path)
            except OSError:  # no hard links here, or this inode has too many
                pass
            else:
                self.files += 1
                self.bytes += len(content.encode("utf-8"))
                return
        self._write(path, content.encode("utf-8"))
        self._first[content] = path

    def json(self, relative: str, document: object) -> None:
        self.text(relative, dumps(document))

    def compact_json(self, relative: str, document: object) -> None:
        """Files written by the thousand or fetched by the browser: no indent (sorted
        keys kept, so the text stays stable from build to build)."""
        self.text(
            relative,
            json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=True),
        )
