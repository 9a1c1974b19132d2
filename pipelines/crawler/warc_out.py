"""Writing what the crawler fetched to a WARC file (gzip per record, readable by warcio)."""

from __future__ import annotations

import io
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipelines.crawler.fetch import FetchResult

__all__ = ["WarcRecorder"]


class WarcRecorder:
    """Appends a ``request`` and a ``response`` record per fetch to one ``.warc.gz`` file.

    The stored body is the entity as received (transfer coding removed by the HTTP
    client, no content coding requested); a body cut short is marked ``WARC-Truncated``
    with the reason (``length``: the byte cap, ``time``: the fetch's deadline,
    ``disconnect``: the server closed before the end).
    """

    def __init__(self, path: Path, software: str = "jpcorpus crawler") -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "wb")  # noqa: SIM115 — closed by close()/__exit__
        self._writer = WARCWriter(self._file, gzip=True, warc_version="WARC/1.1")
        info = self._writer.create_warcinfo_record(
            path.name, {"software": software, "format": "WARC File Format 1.1"}
        )
        self._writer.write_record(info)
        self.responses = 0

    def record(self, fetch: FetchResult) -> None:
        """Write the request and, if one came back, the response."""
        date = fetch.started.strftime("%Y-%m-%dT%H:%M:%SZ")
        parts = urlsplit(fetch.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = self._writer.create_warc_record(
            fetch.url,
            "request",
            http_headers=StatusAndHeaders(
                f"GET {target} HTTP/1.1", fetch.request_headers, is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": date},
        )
        self._writer.write_record(request)
        if fetch.status is None:
            return
        extra = {"WARC-Date": date, "WARC-IP-Address": fetch.ip}
        if fetch.truncated:
            extra["WARC-Truncated"] = fetch.truncated
        response = self._writer.create_warc_record(
            fetch.url,
            "response",
            payload=io.BytesIO(fetch.body),
            length=len(fetch.body),
            http_headers=StatusAndHeaders(
                f"{fetch.status} {fetch.reason}".strip(), fetch.headers, protocol="HTTP/1.1"
            ),
            warc_headers_dict=extra,
        )
        self._writer.write_record(response)
        self.responses += 1

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def __enter__(self) -> WarcRecorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
