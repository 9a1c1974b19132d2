"""An HTTP proxy on loopback that fails every Nth request, between clients and moto.

A few lines of asyncio: each request is read whole (headers and body), then either
answered with S3's throttling error (``503 SlowDown``) or cut off without an answer
(connection reset), alternately, or forwarded to the upstream server on a fresh
connection and its answer passed back. It listens on 127.0.0.1 only and stops with
the test.
"""

from __future__ import annotations

import asyncio
import socket
import threading

SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)


class FaultProxy:
    """``http://127.0.0.1:<port>`` forwarding to ``upstream_port``; every ``every``-th
    request fails."""

    def __init__(self, upstream_port: int, every: int) -> None:
        self.upstream_port = upstream_port
        self.every = every
        self.requests = 0
        self.faults = {"slow_down": 0, "reset": 0}
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port)
        )
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader, writer)
                if request is None:
                    break
                with self._lock:
                    self.requests += 1
                    fail = self.requests % self.every == 0
                    kind = "reset" if (self.requests // self.every) % 2 else "slow_down"
                    if fail:
                        self.faults[kind] += 1
                if fail and kind == "reset":
                    writer.transport.abort()
                    return
                if fail:
                    writer.write(
                        b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
                        + f"Content-Length: {len(SLOW_DOWN)}\r\n\r\n".encode()
                        + SLOW_DOWN
                    )
                    await writer.drain()
                    continue
                up_reader, up_writer = await asyncio.open_connection(
                    "127.0.0.1", self.upstream_port
                )
                up_writer.write(request)
                await up_writer.drain()
                response = await up_reader.read()  # upstream closes: Connection: close
                up_writer.close()
                writer.write(response)
                await writer.drain()
                if b"\r\nconnection: close" in response.split(b"\r\n\r\n", 1)[0].lower():
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def _read_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes | None:
    """One whole request, rewritten to close the upstream connection after its answer."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head[:-4].split(b"\r\n")
    headers = [
        line
        for line in lines[1:]
        if not line.lower().startswith((b"connection:", b"expect:", b"keep-alive:"))
    ]
    fields = {k.strip().lower(): v.strip() for k, _, v in (h.partition(b":") for h in lines[1:])}
    if fields.get(b"expect", b"").lower() == b"100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()
    body = b""
    if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            body += size_line + chunk
            if size == 0:
                break
    elif b"content-length" in fields:
        body = await reader.readexactly(int(fields[b"content-length"]))
    return b"\r\n".join([lines[0], *headers, b"Connection: close"]) + b"\r\n\r\n" + body
