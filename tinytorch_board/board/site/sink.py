"""Where the site's files go: a staging folder written file by file, or one tar archive."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from tinytorch_board.jsonio import dumps


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
        self.path: str | None = None  # the tar fragment, for an ArchiveWriter

    def close(self) -> None:
        """Nothing to close: every file is closed as it is written."""

    def folder(self, relative: str) -> None:
        if relative not in self.made:
            os.makedirs(os.path.join(self.root, relative), exist_ok=True)
            self.made.add(relative)

    def text(self, relative: str, content: str) -> None:
        """Write one file."""
        folder, _, _ = relative.rpartition("/")
        if folder not in self.made:
            self.folder(folder)
        self._write(os.path.join(self.root, relative), content.encode("utf-8"))

    def binary(self, relative: str, data: bytes) -> None:
        """Write one file of bytes (a PNG card)."""
        folder, _, _ = relative.rpartition("/")
        if folder not in self.made:
            self.folder(folder)
        self._write(os.path.join(self.root, relative), data)

    def _write(self, path: str, data: bytes) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
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


class ArchiveWriter(Writer):
    """The same files as members of one uncompressed tar (POSIX ustar), written in order.

    GitHub Pages deploys a tar of the site; writing it directly skips creating hundreds
    of thousands of files and reading them back to archive them. Members are plain files
    and directories only (Pages accepts no links), owned by 0:0 with fixed modes and one
    fixed time, so equal boards give byte-equal archives. Each task of a parallel build
    writes its own fragment (no end-of-archive blocks); an `Assembler` joins them.
    """

    def __init__(self, path: Path, mtime: int, made: frozenset[str] = frozenset()) -> None:
        super().__init__(Path(path).parent)
        self.path = str(path)
        self.mtime = mtime
        self.made = set(made)  # folders another fragment (the first) already holds
        self._out = open(self.path, "wb", buffering=1 << 20)  # noqa: SIM115 - closed by close()

    def folder(self, relative: str) -> None:
        if relative and relative not in self.made:
            parent = relative.rpartition("/")[0]
            if parent:
                self.folder(parent)
            self._out.write(tar_header(relative + "/", 0, self.mtime, directory=True))
            self.made.add(relative)

    def text(self, relative: str, content: str) -> None:
        folder = relative.rpartition("/")[0]
        if folder and folder not in self.made:
            self.folder(folder)
        self._member(relative, content.encode("utf-8"))

    def binary(self, relative: str, data: bytes) -> None:
        folder = relative.rpartition("/")[0]
        if folder and folder not in self.made:
            self.folder(folder)
        self._member(relative, data)

    def linked(self, relative: str, content: str) -> None:
        self._member(relative, content.encode("utf-8"))  # a copy: Pages takes no links

    def _member(self, relative: str, data: bytes) -> None:
        out = self._out
        size = len(data)
        out.write(tar_header(relative, size, self.mtime))
        out.write(data)
        if size % 512:
            out.write(_PADDING[-size % 512])
        self.files += 1
        self.bytes += size

    def close(self) -> None:
        self._out.close()


_ID = b"0000000\0"  # uid, gid, devmajor, devminor: 0
_LINK_MAGIC_OWNERS = b"\0" * 100 + b"ustar\x0000" + b"\0" * 64 + _ID + _ID
_MODES = {False: (b"0000644\0", b"0"), True: (b"0000755\0", b"5")}
# the checksum counts its own field as 8 spaces
_FIXED_SUM = sum(_ID) * 2 + 8 * ord(" ") + sum(_LINK_MAGIC_OWNERS)
# name (100), mode, uid, gid, size, mtime, checksum, type, the fixed tail, prefix (155)
_HEADER = b"%b%b" + _ID + _ID + b"%011o\0%011o\0%06o\0 %b" + _LINK_MAGIC_OWNERS + b"%b" + b"\0" * 12
_PADDING = [b"\0" * n for n in range(512)]


def tar_header(name: str, size: int, mtime: int, directory: bool = False) -> bytes:
    """One 512-byte POSIX ustar header (names up to 255 bytes, split at a '/').

    One format step (it runs once per file, hundreds of thousands of times)."""
    raw = name.encode("utf-8")
    prefix = b""
    if len(raw) > 100:
        cut = raw.rfind(b"/", 0, 156)
        if cut <= 0 or len(raw) - cut - 1 > 100:
            raise ValueError(f"{name!r} is too long for a tar member name")
        prefix, raw = raw[:cut], raw[cut + 1 :]
    mode, kind = _MODES[directory]
    fields = b"%011o\0%011o\0" % (size, mtime)
    checksum = _FIXED_SUM + sum(raw) + sum(prefix) + sum(mode) + kind[0] + sum(fields)
    return _HEADER % (
        raw.ljust(100, b"\0"),
        mode,
        size,
        mtime,
        checksum,
        kind,
        prefix.ljust(155, b"\0"),
    )


def is_our_archive(path: Path) -> bool:
    """True when path is a regular file that starts with a tar header this module writes
    (ustar magic, owner 0 with empty user and group names, a correct checksum): safe for
    `build --archive` to replace. Anything else (a thesis, a FIFO, a link) is left alone."""
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with open(path, "rb") as handle:
            header = handle.read(512)
    except OSError:
        return False
    # linkname, magic, empty user and group names, device numbers: as only we write them
    if len(header) != 512 or header[108:124] != _ID + _ID or header[157:345] != _LINK_MAGIC_OWNERS:
        return False
    try:
        stored = int(header[148:156].split(b"\0")[0].strip() or b"-1", 8)
    except ValueError:
        return False
    return stored == sum(header[:148]) + 8 * ord(" ") + sum(header[156:])


class Assembler:
    """Joins fragments into one tar at path, in the order they are added, while later
    ones are still being written (no member is in two fragments: each file of the site
    is written by one task).

    Written under a temporary name and renamed by finish, so path holds the old
    archive or the whole new one, never part of one."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.partial = self.path.with_name(f".{self.path.name}.partial-{os.getpid()}")
        self._out = open(self.partial, "wb")  # noqa: SIM115 - closed by finish or abort

    def add(self, fragment: str) -> None:
        with open(fragment, "rb") as source:
            _copy_range(source.fileno(), self._out, 0, os.fstat(source.fileno()).st_size)
        os.remove(fragment)  # its bytes are in the archive now

    def finish(self) -> None:
        self._out.write(b"\0" * 1024)  # end of archive: two zero blocks
        self._out.close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        self._out.close()
        with contextlib.suppress(OSError):
            os.remove(self.partial)


def _copy_range(source_fd: int, out, offset: int, count: int) -> None:
    out.flush()
    target = out.fileno()
    while count > 0:
        try:
            sent = os.sendfile(target, source_fd, offset, count)
        except (AttributeError, OSError):  # no sendfile between files here: read and write
            os.lseek(source_fd, offset, os.SEEK_SET)
            while count > 0:
                chunk = os.read(source_fd, min(count, 1 << 20))
                if not chunk:
                    raise OSError(f"fragment ended {count} bytes early") from None
                out.write(chunk)
                offset += len(chunk)
                count -= len(chunk)
            return
        if sent == 0:
            raise OSError(f"fragment ended {count} bytes early")
        offset += sent
        count -= sent
