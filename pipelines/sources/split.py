"""Splitting one big input into tasks of bounded size, the same documents whatever the split.

A big JSON Lines file becomes byte ranges that start and end on line boundaries; a
Parquet file becomes runs of row groups. Each task is read on its own worker, so what
a reader learns from earlier parts of a file (line numbers, ids already seen) is worked
out once on the driver, while planning, and carried in the task:

* ``first_line`` — the number of the range's first line, so locators (``docs.jsonl:1234``)
  do not depend on where the file was cut;
* ``earlier`` — ids of the range that already occurred in an earlier range, each with the
  position of its first occurrence, so a repeated id is rejected as ``duplicate_id``
  whether or not its first occurrence fell in the same task;
* ``frame`` — in a compressed file of independent frames (Zstandard), ``[compressed,
  decompressed]`` offsets of the frame the range starts in: the task decompresses from
  there, not from the file's start (absent when that is the file's start).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from typing import IO, Annotated, Any

from pydantic import BeforeValidator, Field

from pipelines.sources.files import InputRejected, Line, bounded_lines

DEFAULT_TASK_BYTES = 16 * 1024 * 1024
"""Input bytes one task reads at most (a line or row group larger than this is one task):
16 MB puts both CPUs of a laptop to work on a 30 MB file (a dedup-only run of 20,000
documents: about 1.5 s less wall on 2 CPUs than one 64 MB task, ``bench/dedup_overhead.py``),
gives a 1 GB file 64 tasks to spread over a cluster, and keeps a task's documents small
in a worker's memory; a task costs about 0.1 s of bookkeeping."""

_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(value: Any) -> Any:
    """``64MB``/``512KB``/``1GB`` (powers of 1024) or a number of bytes.

    >>> parse_size("64MB"), parse_size("1.5 KB"), parse_size(4096)
    (67108864, 1536, 4096)
    """
    if isinstance(value, str):
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?)B?", value.strip().upper())
        if not m:
            raise ValueError(f"not a size: {value!r} (e.g. 64MB, 512KB, 1GB or bytes)")
        return int(float(m.group(1)) * _UNITS[m.group(2)])
    return value


TaskBytes = Annotated[int, BeforeValidator(parse_size), Field(gt=0, strict=True)]
"""The ``task_bytes`` key of a splittable source: a size such as ``64MB`` or bytes."""


def even_part(size: int, task_bytes: int) -> int:
    """The part size that cuts ``size`` bytes into as few parts of at most ``task_bytes``
    as possible, all about equal: a 28 MB file in 16 MB tasks is two 14 MB tasks, not 16 + 12
    (the longer task would set the wall time of a 2-CPU run).

    >>> even_part(28, 16), even_part(32, 16), even_part(33, 16), even_part(10, 16)
    (14, 16, 11, 10)
    """
    parts = max(1, -(-size // task_bytes))
    return -(-size // parts)


class FirstSeen:
    """Where each id first occurred in a file read in order, and per part the repeats.

    >>> seen = FirstSeen()
    >>> seen.add("a", 1); seen.add("b", 2); seen.next_part(3); seen.add("a", 3)
    >>> seen.add("c", 4); seen.add("c", 5); seen.parts
    [{}, {'a': 1}]
    """

    def __init__(self) -> None:
        self.first: dict[str, int] = {}
        self.parts: list[dict[str, int]] = [{}]
        self._part_start = 0

    def next_part(self, start: int) -> None:
        """The next part begins at ``start`` (positions grow through the file)."""
        self.parts.append({})
        self._part_start = start

    def add(self, key: str | None, position: int) -> None:
        if key is None:
            return
        first = self.first.setdefault(key, position)
        if first < self._part_start:
            self.parts[-1].setdefault(key, first)


def split_lines(
    stream: IO[bytes], task_bytes: int, key: Callable[[Line], str | None]
) -> list[dict[str, Any]]:
    """Byte ranges of about ``task_bytes`` of ``stream``, cut only between lines.

    ``key`` gives the id a line would be kept under (``None`` when the line is blank, bad
    or carries no id of its own). Each range is ``{"start", "end", "first_line",
    "earlier"}`` (see the module docstring); together they cover the stream exactly.

    >>> import io
    >>> data = io.BytesIO(b'{"id":"a"}\\n{"id":"b"}\\n{"id":"a"}\\n')
    >>> split_lines(data, 20, lambda ln: ln.data[7:8].decode())
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'start': 0, 'end': 22, 'first_line': 1, 'earlier': {}},
     {'start': 22, 'end': 33, 'first_line': 3, 'earlier': {'a': 1}}]
    """
    seen = FirstSeen()
    ranges: list[dict[str, Any]] = []
    start, first_line, pos = 0, 1, 0
    for line in bounded_lines(stream):
        if pos - start >= task_bytes:
            ranges.append({"start": start, "end": pos, "first_line": first_line})
            start, first_line = pos, line.number
            seen.next_part(line.number)
        seen.add(key(line), line.number)
        pos += line.size
    ranges.append({"start": start, "end": pos, "first_line": first_line})
    for r, earlier in zip(ranges, seen.parts, strict=True):
        r["earlier"] = earlier
    return ranges


def start_frames(ranges: list[dict[str, Any]], frames: list[tuple[int, int]]) -> None:
    """Give each range the frame it starts in (``frames``: ``(compressed, decompressed)``
    offsets of frame starts, in file order), when that is not the file's start.

    >>> ranges = [{"start": 0}, {"start": 5000}, {"start": 9000}]
    >>> start_frames(ranges, [(0, 0), (900, 4096), (1800, 8192)])
    >>> [r.get("frame") for r in ranges]
    [None, [900, 4096], [1800, 8192]]
    """
    for r in ranges:
        frame = frame_before(frames, r["start"])
        if frame != (0, 0):
            r["frame"] = list(frame)


def frame_before(frames: list[tuple[int, int]], position: int) -> tuple[int, int]:
    """The last of ``frames`` (``(compressed, decompressed)`` offsets of frame starts, in
    file order) that starts at or before decompressed byte ``position``.

    >>> frame_before([(0, 0), (900, 4096), (1800, 8192)], 5000)
    (900, 4096)
    >>> frame_before([], 5000)
    (0, 0)
    """
    i = bisect.bisect_right(frames, position, key=lambda frame: frame[1])
    return frames[i - 1] if i else (0, 0)


class RangeReader:
    """Bytes ``[start, end)`` of a stream that may not seek (a decompressed one is skipped
    through), read as a binary file."""

    def __init__(self, stream: IO[bytes], start: int, end: int) -> None:
        self._stream = stream
        self.left = end - start
        if stream.seekable():
            stream.seek(start)
        else:
            while start > 0:
                chunk = stream.read(min(start, 1 << 20))
                if not chunk:
                    break
                start -= len(chunk)

    def readline(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        limit = self.left if size is None or size < 0 else min(size, self.left)
        data = self._stream.readline(limit)
        self.left -= len(data)
        return data


def range_lines(stream: IO[bytes], task: dict[str, Any]) -> Iterator[Line]:
    """The lines of a task's range (all of ``stream`` for an unsplit task), numbered as
    in the whole file. ``stream`` starts at the task's ``frame`` when it has one."""
    if "end" not in task:
        yield from bounded_lines(stream)
        return
    offset = task["first_line"] - 1
    base = task.get("frame", (0, 0))[1]  # the stream starts at this decompressed byte
    reader = RangeReader(stream, task["start"] - base, task["end"] - base)
    for line in bounded_lines(reader):  # type: ignore[arg-type]
        yield line._replace(number=line.number + offset)
    if reader.left > 0:
        raise InputChanged(
            f"{task['file']}: ended {reader.left} bytes before byte {task['end']} of the plan; "
            "the file changed after planning"
        )


class InputChanged(InputRejected):
    """A file is shorter than when the run was planned (the rest is recorded as rejected)."""

    reason = "input_changed"
