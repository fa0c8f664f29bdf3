"""One base class for every mistake a user can fix; the CLI prints it as one line."""

from __future__ import annotations


class BoardError(Exception):
    """A user-facing error: the message says what is wrong and what to do next."""


class DataFileError(BoardError):
    """A file we read is missing, corrupt, too new, or the wrong shape."""

    def __init__(self, path: object, message: str) -> None:
        self.path = str(path)
        self.detail = message
        super().__init__(f"{path}: {message}")


class ConfigError(BoardError):
    """board.yaml or .tinytorch/config.json holds something we cannot use."""


class WriteError(BoardError, OSError):
    """A file could not be written (disk full, read-only, no permission).

    Also an OSError, so code that tolerates a failed write (a cache) keeps doing so.
    """

    def __init__(self, path: object, cause: OSError) -> None:
        OSError.__init__(self, cause.errno, cause.strerror, str(path))
        self.path = str(path)
        self.reason = write_failure_reason(cause)

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.reason}"


def write_failure_reason(cause: OSError) -> str:
    """Why a write failed, in a few words a student can act on."""
    import errno

    reasons = {
        errno.ENOSPC: "disk full",
        errno.EDQUOT: "disk quota exceeded",
        errno.EFBIG: "disk full (the file size limit was reached)",
        errno.EROFS: "read-only file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EISDIR: "it is a directory",
        errno.ENOTDIR: "a parent is not a directory",
    }
    return reasons.get(cause.errno, cause.strerror or type(cause).__name__)
