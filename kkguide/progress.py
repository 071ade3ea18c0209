"""What a build tells while it runs (events), and how long it has left (``Forecast``).

``kkguide.build.build`` sends these events to its ``progress`` callback; the command line draws
them (``kkguide.cli``), tests record them. Nothing here prints.

- ``Stage``: what the build does before and after rendering (the cache look-up, validating the
  chapters and catalogs, starting workers, checking fonts, publishing), so a terminal never shows
  a bar standing still at 0 % without a word.
- ``Planned``: the layout groups to render in hand-in order, each with its expected seconds (its
  last render time from the cache folder's timings, else the engine's size estimate), and how
  many renderers take them.
- ``Started`` / ``Finished``: a renderer took a group / a group is done (with its real seconds).

``Forecast`` turns them into the seconds left: the groups still queued and the rest of the
running ones, each at its expected time scaled by how the finished ones compared with theirs,
handed to the renderers in order as the build does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Stage:
    text: str


@dataclass(frozen=True)
class Planned:
    groups: tuple[tuple[str, int, float], ...]   # (group label, PDFs in it, expected seconds), in order
    renderers: int
    timed: bool          # every expected time comes from a recorded render (seconds, not a size estimate)


@dataclass(frozen=True)
class Started:
    label: str


@dataclass(frozen=True)
class Finished:
    label: str
    seconds: float


Event = Stage | Planned | Started | Finished


class Forecast:
    """Seconds left of the rendering, from the plan and the events so far (``now``: a clock)."""

    def __init__(self, plan: Planned):
        self.plan = plan
        self.expected: Mapping[str, float] = {label: seconds for label, _, seconds in plan.groups}
        self.started: dict[str, float] = {}
        self.finished: dict[str, float] = {}

    def start(self, label: str, now: float) -> None:
        self.started[label] = now

    def finish(self, label: str, seconds: float) -> None:
        self.finished[label] = seconds

    @property
    def scale(self) -> float | None:
        """Real seconds per expected unit, from the finished groups (None before any finished,
        unless the plan's times are recorded seconds already)."""
        done = [label for label in self.finished if label in self.expected]
        if not done:
            return 1.0 if self.plan.timed else None
        expected = sum(self.expected[label] for label in done)
        return sum(self.finished[label] for label in done) / expected if expected > 0 else None

    def left(self, now: float) -> float | None:
        scale = self.scale
        if scale is None:
            return None
        running = [max(0.0, self.expected[label] * scale - (now - at)) for label, at in self.started.items()
                   if label not in self.finished and label in self.expected]
        queued = [self.expected[label] * scale for label, _, _ in self.plan.groups
                  if label not in self.started and label not in self.finished]
        free = sorted(running + [0.0] * max(0, self.plan.renderers - len(running)))
        for seconds in queued:   # each queued group goes to the renderer that is free first
            free[0] += seconds
            free.sort()
        return max(free) if free else 0.0
