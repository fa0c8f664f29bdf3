"""A local static file server for the built site (loopback only)."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_head(self):
        """400 for a path no file can have (a NUL byte, bad escapes), never a traceback."""
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        try:
            decoded = unquote(path, errors="strict")
        except UnicodeDecodeError:
            decoded = "\0"
        if "\0" in decoded:
            self.send_error(400, "Malformed path")
            return None
        try:
            return super().send_head()
        except (ValueError, OSError):
            self.send_error(400, "Malformed path")
            return None


def make_server(site_dir: Path, port: int) -> ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(Path(site_dir).resolve()))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)
