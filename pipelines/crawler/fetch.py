"""One HTTP GET to a vetted address, read up to a byte cap; redirects are the caller's.

A fetch has one deadline, ``timeout`` seconds from its start, for connecting, the
headers and the whole body together: a server that sends one byte every half
second cannot hold it longer (each socket read also times out). A body that ends
before its ``Content-Length`` (the server closed the connection) or a chunked body
cut off is kept as far as it came and marked truncated (``disconnect``); one cut at
the byte cap is marked ``length``; one cut at the deadline ``time`` — the names of
``WARC-Truncated``, which the ``warc`` reader turns into the rejected reason
``truncated_record``.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from pipelines.crawler.addresses import AddressPolicy

__all__ = ["Fetcher", "FetchResult"]

_READ_CHUNK = 1 << 16
#: hop-by-hop headers that describe the transfer, not the entity; the body we store is decoded.
_TRANSFER_HEADERS = frozenset({"transfer-encoding", "connection", "keep-alive"})


@dataclass
class FetchResult:
    """What one request gave: the status line, headers and (possibly capped) body."""

    url: str
    started: datetime
    ip: str = ""
    status: int | None = None
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    truncated: str = ""
    """Why the body is incomplete: ``length`` (byte cap), ``time`` (deadline),
    ``disconnect`` (the connection ended early); empty when complete."""
    error: str = ""

    def header(self, name: str) -> str:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), "")

    @property
    def location(self) -> str:
        return self.header("location")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the vetted ``ip``; ``live`` keeps the socket after http.client lets go
    of it (``Connection: close`` hands it to the response), for the deadline's sake."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip
        self.live: socket.socket | None = None

    def connect(self) -> None:
        self.sock = self.live = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip
        self.live: socket.socket | None = None

    def connect(self) -> None:
        self.live = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(self.live, server_hostname=self.host)


class Fetcher:
    """GETs a URL after :class:`AddressPolicy` vets it; never follows redirects itself."""

    def __init__(
        self,
        user_agent: str,
        addresses: AddressPolicy,
        timeout: float = 20.0,
        max_body_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        self.user_agent = user_agent
        self.addresses = addresses
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes

    def get(self, url: str, max_body_bytes: int | None = None) -> FetchResult:
        """Fetch ``url``. Raises :class:`AddressRefused`; network errors are in ``error``."""
        cap = self.max_body_bytes if max_body_bytes is None else max_body_bytes
        host, port, ip = self.addresses.vet(url)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        result = FetchResult(url=url, started=datetime.now(UTC).replace(microsecond=0), ip=ip)
        cls = _PinnedHTTPSConnection if parts.scheme.lower() == "https" else _PinnedHTTPConnection
        conn = cls(host, port, ip, self.timeout)
        request_headers = {
            "User-Agent": self.user_agent,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.8,*/*;q=0.5",
            "Accept-Encoding": "identity",
            "Accept-Language": "ja,en;q=0.5",
            "Connection": "close",
        }
        host_header = parts.netloc.rsplit("@", 1)[-1]
        result.request_headers = [("Host", host_header), *request_headers.items()]
        deadline = time.monotonic() + self.timeout
        watchdog = threading.Timer(self.timeout, _abort, (conn,))
        watchdog.daemon = True
        watchdog.start()
        try:
            conn.request("GET", path, headers=request_headers)
            response = conn.getresponse()
            result.status, result.reason = response.status, response.reason
            result.headers = [
                (k, v) for k, v in response.getheaders() if k.lower() not in _TRANSFER_HEADERS
            ]
            result.body, result.truncated = _read_body(response, conn, cap, deadline)
        except (OSError, http.client.HTTPException, ValueError) as exc:  # ValueError: bad URL
            result.error = _error(exc, deadline)
        finally:
            watchdog.cancel()
            conn.close()
        return result


def _abort(conn: _PinnedHTTPConnection | _PinnedHTTPSConnection) -> None:
    """At the deadline: end the connection, so that a read blocked in it returns."""
    sock = conn.live
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _error(exc: BaseException, deadline: float) -> str:
    if time.monotonic() >= deadline:
        return "deadline: the fetch took longer than its timeout"
    return f"{type(exc).__name__}: {exc}"[:300]


def _read_body(
    response: http.client.HTTPResponse,
    conn: _PinnedHTTPConnection | _PinnedHTTPSConnection,
    cap: int,
    deadline: float,
) -> tuple[bytes, str]:
    """The body up to ``cap`` bytes and before ``deadline``, and why it is cut (if it is)."""
    body = bytearray()
    try:
        while (left := deadline - time.monotonic()) > 0:
            if conn.live is not None:
                conn.live.settimeout(left)
            chunk = response.read1(min(_READ_CHUNK, cap + 1 - len(body)))
            if not chunk:
                break
            body += chunk
            if len(body) > cap:
                return bytes(body[:cap]), "length"
    except (OSError, http.client.HTTPException):  # reset, timeout, a chunked body cut off
        return bytes(body), "time" if time.monotonic() >= deadline else "disconnect"
    if time.monotonic() >= deadline:
        return bytes(body), "time"
    if response.length:  # Content-Length promised more than came
        return bytes(body), "disconnect"
    return bytes(body), ""
