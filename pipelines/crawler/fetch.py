"""One HTTP GET to a vetted address, read up to a byte cap; redirects are the caller's."""

from __future__ import annotations

import http.client
import socket
import ssl
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
    truncated: bool = False
    error: str = ""

    def header(self, name: str) -> str:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), "")

    @property
    def location(self) -> str:
        return self.header("location")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


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
        try:
            conn.request("GET", path, headers=request_headers)
            response = conn.getresponse()
            result.status, result.reason = response.status, response.reason
            result.headers = [
                (k, v) for k, v in response.getheaders() if k.lower() not in _TRANSFER_HEADERS
            ]
            body = bytearray()
            while chunk := response.read(min(_READ_CHUNK, cap + 1 - len(body))):
                body += chunk
                if len(body) > cap:
                    result.truncated = True
                    del body[cap:]
                    break
            result.body = bytes(body)
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            result.error = f"{type(exc).__name__}: {exc}"[:300]
        finally:
            conn.close()
        return result
