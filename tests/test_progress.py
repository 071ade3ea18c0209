"""Progress that tells: stages before the bar moves, the bar labelled by what is rendering now,
and a time left from the recorded render times."""

from __future__ import annotations

import io
import re

import pytest

from kkguide.build import build
from kkguide.cli import _progress
from kkguide.progress import Finished, Forecast, Planned, Stage, Started


def test_forecast_hands_the_queue_to_the_renderers_as_the_build_does():
    plan = Planned((("de/screen", 1, 10.0), ("ar/screen", 1, 10.0), ("uk/screen", 1, 5.0)), renderers=2, timed=True)
    forecast = Forecast(plan)
    assert forecast.left(0.0) == pytest.approx(15.0)   # de and ar at once, uk after the first of them
    forecast.start("de/screen", 0.0)
    forecast.start("ar/screen", 0.0)
    assert forecast.left(4.0) == pytest.approx(11.0)
    forecast.finish("de/screen", 20.0)                  # twice as slow as recorded: everything is
    forecast.start("uk/screen", 20.0)
    assert forecast.left(20.0) == pytest.approx(10.0)   # uk: 5 s recorded -> 10 s; ar: 20 s -> done at 20


def test_an_untimed_plan_has_no_estimate_until_a_group_is_done():
    plan = Planned((("de/screen", 1, 3000.0), ("ar/screen", 1, 6000.0)), renderers=1, timed=False)
    forecast = Forecast(plan)
    assert forecast.left(0.0) is None                   # characters, not seconds
    forecast.start("de/screen", 0.0)
    forecast.finish("de/screen", 3.0)                   # 1 ms per unit
    forecast.start("ar/screen", 3.0)
    assert forecast.left(3.0) == pytest.approx(6.0)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 0.25
        return self.now


def test_terminal_line_names_the_stage_then_what_renders_now(mini, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")   # wide enough for the editions (pytest-xdist workers say 80)
    stream = io.StringIO()
    shown = _progress(2, stream=stream, tty=True, clock=Clock())
    shown.TICK = 3600   # draw on events only: the test sees every line
    events = []

    def event(e):
        events.append(e)
        shown.event(e)

    with shown:
        build(mini, mini / "dist", ["de", "ar"], ["screen"], workers=2, report=shown.step, progress=event)
    lines = [line.rstrip("\x1b[K") for line in stream.getvalue().split("\r") if line.strip("\x1b[K")]
    assert lines[0].startswith("looking up 2 PDF(s) in the cache")
    assert any(line.startswith("starting 1 worker process(es) (this one renders too), meanwhile validating") for line in lines), lines
    bar = [line for line in lines if line.startswith("[")]
    first = bar.index(next(line for line in bar if "rendering: " in line))
    assert re.match(r"\[-{24}\] 0/2 PDFs  estimating the time left  rendering: (de|ar)/screen", bar[first]), bar
    # while the second group renders, the label is that group, not the one that just finished
    done_one = [line for line in bar if " 1/2 PDFs" in line]
    assert done_one and all(re.search(r"rendering: (de|ar)/screen\b", line) or "rendering:" not in line
                            for line in done_one)
    started = [e.label for e in events if isinstance(e, Started)]
    finished = [e.label for e in events if isinstance(e, Finished)]
    assert sorted(started) == sorted(finished) == ["ar/screen", "de/screen"]
    assert [e for e in events if isinstance(e, Planned)][0].timed is False      # first build: nothing recorded
    assert "estimating the time left" in bar[first]
    assert lines[-1].startswith("writing 2 PDF(s)") or lines[-1] == ""


def test_a_rebuild_estimates_from_the_recorded_render_times(mini):
    import json

    assert build(mini, mini / "dist", ["de", "ar"], ["screen"], workers=1).rendered == 2
    recorded = json.loads((mini / "dist/.kkguide-cache/timings.json").read_text())
    (mini / "chapters/02-notruf.md").write_text((mini / "chapters/02-notruf.md").read_text() + "\nNeu.\n")
    events = []
    build(mini, mini / "dist", ["de", "ar"], ["screen"], workers=1, progress=events.append)
    plan = next(e for e in events if isinstance(e, Planned))
    assert plan.timed
    assert {label: seconds for label, _, seconds in plan.groups} == {k: recorded[k] for k in ("de/screen", "ar/screen")}
    assert Forecast(plan).left(0.0) == pytest.approx(recorded["de/screen"] + recorded["ar/screen"])
    stages = [e.text for e in events if isinstance(e, Stage)]
    assert stages[0].startswith("looking up") and any("validating" in s for s in stages)


def test_a_narrow_terminal_keeps_the_time_left_and_every_group_rendering():
    from kkguide.cli import _progress
    from kkguide.progress import Planned, Started

    shown = _progress(4, stream=io.StringIO(), tty=False, clock=Clock())
    shown.event(Planned(groups=(("ar/print+screen", 2, 10.0), ("ti/print+screen", 2, 10.0)), renderers=2, timed=True))
    shown.event(Started("ar/print+screen"))
    shown.event(Started("ti/print+screen"))
    wide = shown.line(200)
    assert wide.endswith("rendering: ar/print+screen, ti/print+screen") and "s left" in wide
    narrow = shown.line(70)
    assert len(narrow) <= 70 and re.search(r"about \d+ s left  rendering: ar, ti$", narrow), narrow
