"""Reading Zstandard (``.zst``) files frame by frame, so a big one can be read in parts.

A ``.zst`` file is one or more independent frames (``zstd`` writes one, ``pzstd`` and
the seekable format write many; skippable frames may sit between them). Decompression
can start at any frame's first byte, so a task whose range starts in the middle of a
many-frame file seeks to the frame holding its start and decompresses only from there;
in a one-frame file that frame is the file's start, as for gzip.

:class:`ZstdStream` is the decompressed side, frame after frame. It notes where frames
begin (:attr:`ZstdStream.frames`, thinned to one per :data:`FRAME_SPACING` bytes), says
when the file ends inside a frame (``EOFError``: a truncated file) and when it is not
Zstandard (``OSError``); :class:`~pipelines.sources.files.ExpansionGuard` turns those
into ``truncated_compressed_file`` / ``corrupt_compressed_file`` and stops a
decompression bomb.

python-zstandard's own ``stream_reader`` is not used: it ends quietly when the input
ends mid-frame (a truncated file would read as a shorter good one) and does not tell
where a frame ended in the compressed bytes.
"""

from __future__ import annotations

import io
from typing import IO

import zstandard

FEED = 1024
"""Compressed bytes given to the decompressor at a time. Zstandard expands at most about
32,768× (a 4-byte RLE block is 128 KB), so one step makes at most 32 MB — below the
expansion guard's floor, so a bomb is stopped before it holds more than that."""

FRAME_SPACING = 256 * 1024
"""A frame start is noted only this many decompressed bytes after the last one noted,
so a file of many tiny frames keeps a short list; a task then decompresses at most this
much (and one frame) before its range."""


class ZstdStream(io.RawIOBase):
    """The decompressed bytes of the Zstandard data read from ``compressed``.

    ``compressed`` is positioned at a frame's first byte; ``offset`` and ``produced`` are
    that byte's offset in the file and the decompressed bytes before it, so the frames
    noted are positions in the whole file.
    """

    def __init__(self, compressed: IO[bytes], *, offset: int = 0, produced: int = 0) -> None:
        self._src = compressed
        self._dctx = zstandard.ZstdDecompressor()
        self._frame = None  # the frame being decompressed; None between frames
        self._input = memoryview(b"")  # compressed bytes read, not yet decompressed
        self._read = offset  # compressed bytes before the end of self._input
        self.produced = produced
        self._pending = memoryview(b"")  # decompressed bytes not yet returned
        self.frames: list[tuple[int, int]] = []
        """``(compressed offset, decompressed offset)`` where noted frames begin."""

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        """Up to ``size`` decompressed bytes (``b""`` at the end of the last frame)."""
        while True:
            if self._pending:
                n = len(self._pending) if size is None or size < 0 else size
                out, self._pending = self._pending[:n], self._pending[n:]
                return bytes(out)
            if not self._step():
                return b""

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read1(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _step(self) -> bool:
        """Decompress up to :data:`FEED` more compressed bytes; False at the clean end."""
        if not self._input:
            self._input = memoryview(self._src.read(1 << 16))
            self._read += len(self._input)
            if not self._input:
                if self._frame is not None:
                    raise EOFError("compressed file ended inside a Zstandard frame")
                return False
        if self._frame is None:
            start = self._read - len(self._input)
            last = self.frames[-1][1] if self.frames else None
            if last is None or self.produced - last >= FRAME_SPACING:
                self.frames.append((start, self.produced))
            self._frame = self._dctx.decompressobj()
        piece, self._input = self._input[:FEED], self._input[FEED:]
        try:
            out = self._frame.decompress(piece)
        except zstandard.ZstdError as exc:
            raise OSError(f"not valid Zstandard data ({exc})") from None
        if self._frame.eof:  # what follows the frame is the next frame's start
            self._input = memoryview(bytes(self._frame.unused_data) + bytes(self._input))
            self._frame = None
        self._pending = memoryview(out)
        self.produced += len(out)
        return True

    def close(self) -> None:
        self._src.close()
        super().close()
