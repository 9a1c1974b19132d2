"""The shape of a quality rule: measure signals on a :class:`TextProfile`, compare to bounds.

A rule is one small class with one job. It measures one or more named signals (floats
recorded in ``quality_signals``) and drops a document whose signal leaves its bounds,
with the reason ``<signal><<min>`` or ``<signal>><max>`` (e.g. ``hiragana_ratio<0.2``).
A bound of ``None`` is not checked.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from corpus.quality.profile import TextProfile
from corpus.stages.base import Decision, Drop, Keep

Bounds = dict[str, tuple[float | None, float | None]]


def _fmt(value: float) -> str:
    return f"{value:g}"


class Rule(ABC):
    """One quality rule. Subclasses set :attr:`name`, implement :meth:`measure` and :meth:`bounds`."""

    name: ClassVar[str] = "rule"

    @abstractmethod
    def measure(self, profile: TextProfile) -> dict[str, float]:
        """The rule's signals for this text."""

    @abstractmethod
    def bounds(self) -> Bounds:
        """``signal -> (min, max)``; ``None`` leaves that side open."""

    def reason(self, signals: dict[str, float]) -> str | None:
        """The drop reason for these signals, or ``None`` to keep."""
        for signal, (low, high) in self.bounds().items():
            value = signals.get(signal)
            if value is None:
                continue
            if low is not None and value < low:
                return f"{signal}<{_fmt(low)}"
            if high is not None and value > high:
                return f"{signal}>{_fmt(high)}"
        return None

    def check(self, text: str | TextProfile) -> Decision:
        """Keep() or Drop(reason) for one text."""
        profile = text if isinstance(text, TextProfile) else TextProfile(text)
        reason = self.reason(self.measure(profile))
        return Drop(reason) if reason else Keep()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.bounds()})"
