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
