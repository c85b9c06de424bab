"""The HTTP/1.1 transport: a threading server that keeps connections alive and can go down and up.

It knows nothing about Dynatrace: every request becomes a :class:`Request` handed to one callable.
"""

from __future__ import annotations

import socket
import sys
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from .http import Request, Response, error_response

App = Callable[[Request], Response]

# Bodies above this are read and thrown away rather than held in memory; the endpoint answers 413.
HARD_BODY_LIMIT = 64 * 1024 * 1024
_DISCARD_CHUNK = 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps the connection open between requests: one client can then push many batches
    # without paying a TCP handshake each time, which is what makes the throughput target reachable.
    protocol_version = "HTTP/1.1"
    # Without this, small responses wait for the client's delayed ACK (about 40 ms per request).
    disable_nagle_algorithm = True
    server_version = "DynatraceReceiver/1.0"
    sys_version = ""
    server: _HTTPServer

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def _dispatch(self) -> None:
        try:
            body, too_large = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        path, _, query_string = self.path.partition("?")
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        request = Request(self.command, path, query, self.headers, body, too_large)
        try:
            response = self.server.app(request)
        except Exception as exc:  # a bug in an endpoint: answer it rather than cut the connection
            traceback.print_exc()
            response = error_response(500, f"Receiver error: {exc!r}")
        self._write(response)

    def _read_body(self) -> tuple[bytes, bool]:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length <= HARD_BODY_LIMIT:
            return self.rfile.read(length), False
        # Reading it all keeps the connection usable and lets the client see the 413 instead of a reset.
        while length > 0:
            chunk = self.rfile.read(min(length, _DISCARD_CHUNK))
            if not chunk:
                raise ValueError("connection closed while reading the body")
            length -= len(chunk)
        return b"", True

    def _read_chunked(self) -> tuple[bytes, bool]:
        parts: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline(1024).split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            chunk = self.rfile.read(size)
            self.rfile.readline(8)  # the CRLF after each chunk
            total += size
            if total <= HARD_BODY_LIMIT:
                parts.append(chunk)
        if total > HARD_BODY_LIMIT:
            return b"", True
        return b"".join(parts), False

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        body = response.body
        if body:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # The default joins every handler thread on close, which would wait for idle keep-alive clients.
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App, verbose: bool) -> None:
        self.app = app
        self.verbose = verbose
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        # A client that goes away, or set_down() cutting a connection mid-answer, is not worth a traceback.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def drop_connections(self) -> None:
        """Cut every open connection, as a tenant going away would (keep-alive clients see a reset)."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class HttpRunner:
    """Owns the listening socket: start, stop, and restart on the same port."""

    def __init__(self, host: str, port: int, app: App, *, verbose: bool = False) -> None:
        self.host = host
        self.port = port
        self._app = app
        self._verbose = verbose
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        with self._lock:
            if self._server is not None:
                return
            server = _HTTPServer((self.host, self.port), self._app, self._verbose)
            # Port 0 asks the OS for a free port; keep it so a restart comes back on the same one.
            self.port = server.server_address[1]
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"dt-receiver:{self.port}",
                daemon=True,
            )
            thread.start()
            self._server, self._thread = server, thread

    def stop(self) -> None:
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()  # closes the listening socket: new connections are refused
        server.drop_connections()
        if thread is not None:
            thread.join(timeout=5)
