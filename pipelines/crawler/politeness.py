"""Politeness: at most ``rate`` requests per second to any one host."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["HostRateLimiter"]


class HostRateLimiter:
    """Waits so that requests to one host are at least ``1 / rate`` seconds apart, counted
    from the end of the previous request (longer when the host's robots.txt asks for a
    larger ``Crawl-delay``).

    >>> limiter = HostRateLimiter(rate=1000.0)
    >>> limiter.wait("a.example.jp"); limiter.wait("a.example.jp") >= 0.0
    0.0
    True
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive (requests per second)")
        self.interval = 1.0 / rate
        self._clock, self._sleep = clock, sleep
        self._last: dict[str, float] = {}
        self._delay: dict[str, float] = {}

    def set_crawl_delay(self, host: str, seconds: float | None) -> None:
        if seconds and seconds > 0:
            self._delay[host] = float(seconds)

    def wait(self, host: str) -> float:
        """Sleep until ``host`` may be asked again; returns the seconds slept."""
        interval = max(self.interval, self._delay.get(host, 0.0))
        now = self._clock()
        last = self._last.get(host)
        slept = 0.0
        if last is not None and now - last < interval:
            slept = interval - (now - last)
            self._sleep(slept)
            now = self._clock()
        self._last[host] = now
        return slept

    def done(self, host: str) -> None:
        """Mark the end of a request: the next one waits from here, so the host sees the
        full interval between one response and the next request."""
        self._last[host] = self._clock()
