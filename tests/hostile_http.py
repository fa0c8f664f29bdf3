"""A local HTTP server that misbehaves on purpose, one way per path prefix.

GET /<variant>/api/distribution.json answers as the variant says: a good distribution,
bad shapes, huge numbers, deep nesting, one byte every 2 s, 500 MB streamed, redirects.
Binds 127.0.0.1 only; every connection runs in its own daemon thread.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD = {
    "distribution_version": 1,
    "generated_at": "2026-11-22T10:30:00Z",
    "k": 5,
    "totals": {"submissions": 40, "participants": 30, "public_entries": 3},
    "cohorts": {"Other": 40},
    "groups": {
        "baseline/1/numpy": {
            "kind": "baseline",
            "suite_version": 1,
            "backend": "numpy",
            "count": 40,
            "quantiles": [round(0.1 * i, 2) for i in range(101)],
            "systems": {"Linux x86": {"count": 12, "quantiles": [0.1 * i for i in range(101)]}},
        }
    },
}


def _with(path: tuple, value) -> bytes:
    doc = json.loads(json.dumps(GOOD))
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return json.dumps(doc).encode()


GROUP = ("groups", "baseline/1/numpy")
BAD_BODIES: dict[str, bytes] = {
    "count-many": _with((*GROUP, "count"), "many"),
    "count-list": _with((*GROUP, "count"), [1]),
    "count-negative": _with((*GROUP, "count"), -5),
    "systems-list": _with((*GROUP, "systems"), [{"count": 1}]),
    "count-1e400": json.dumps(GOOD).replace('"count": 40', '"count": 1e400').encode(),
    "quantile-1e400": json.dumps(GOOD)
    .replace('"quantiles": [0.0,', '"quantiles": [-1e400,', 1)
    .encode(),
    "quantile-huge-int": json.dumps(GOOD)
    .replace('"quantiles": [0.0,', '"quantiles": [-' + "9" * 400 + ",", 1)
    .encode(),
    "k-string": _with(("k",), "five"),
    "totals-negative": _with(("totals", "submissions"), -1),
    "not-json": b"<html>maintenance</html>",
    "deep-nesting": b"[" * 1_000_000 + b"]" * 1_000_000,
    "deep-object": b'{"a":' * 500_000 + b"1" + b"}" * 500_000,
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.hits.append(self.path)
        variant = self.path.strip("/").split("/", 1)[0]
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(variant)

    def _answer(self, variant: str) -> None:
        port = self.server.server_address[1]
        if variant == "good":
            self._send(200, json.dumps(GOOD).encode(), {"Content-Type": "application/json"})
        elif variant in BAD_BODIES:
            self._send(200, BAD_BODIES[variant])
        elif variant == "drip":  # every read succeeds, so per-read timeouts never fire
            body = json.dumps(GOOD).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(2)
        elif variant == "drip-headers":
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(2)
        elif variant == "oversize":  # 500 MB, no Content-Length, streamed until the client stops
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b" " * (1 << 20)
            for _ in range(500):
                self.wfile.write(chunk)
        elif variant == "oversize-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(500 * 2**20))
            self.end_headers()
            self.wfile.write(b"{")
        elif variant == "redirect-same":
            self._send(
                302, b"", {"Location": f"http://127.0.0.1:{port}/good/api/distribution.json"}
            )
        elif variant == "redirect-other-host":
            self._send(
                302, b"", {"Location": f"http://localhost:{port}/good/api/distribution.json"}
            )
        elif variant == "redirect-other-port":
            self._send(302, b"", {"Location": "http://127.0.0.1:9/good/api/distribution.json"})
        elif variant == "redirect-ftp":
            self._send(302, b"", {"Location": "ftp://127.0.0.1/api/distribution.json"})
        elif variant == "redirect-loop":
            self._send(
                302,
                b"",
                {"Location": f"http://127.0.0.1:{port}/redirect-loop/api/distribution.json"},
            )
        elif variant == "error-500":
            self._send(500, b"oops")
        else:
            self._send(404, b"{}")


class HostileServer:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.hits = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, variant: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{variant}"

    @property
    def hits(self) -> list[str]:
        return self.server.hits

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
