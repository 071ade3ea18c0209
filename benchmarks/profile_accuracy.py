"""How close the output profile comes to the FOGRA39 characterisation data (issue 15).

    .venv/bin/python benchmarks/profile_accuracy.py [PROFILE.icc] [DATA.ti3]

ArgyllCMS's ``profcheck -k`` looks every patch's CMYK up in the profile (CMYK -> Lab, absolute
colorimetric) and compares it with the Lab measured for that patch: CIEDE2000 per patch. This
prints the median, 95th percentile, maximum and mean over all patches, and the solids, as a
Markdown table (recorded in docs/print-profile.md). Needs Debian ``argyll`` and
``icc-profiles-free`` (the FOGRA39L data), both in the test set-up.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROFILE = REPO / "styles/icc/FOGRA39-kkguide.icc"
DATA = Path("/usr/share/color/icc/FOGRA39L.ti3")
_ROW = re.compile(r"^\[(?P<de>[\d.]+)\] (?P<id>\d+): (?P<cmyk>(?:[\d.]+ ){4})-> (?P<lab>(?:-?[\d.]+ ?){3}) "
                  r"should be (?P<ref>(?:-?[\d.]+ ?){3})$")
SOLIDS = {"paper white": (0, 0, 0, 0), "cyan": (1, 0, 0, 0), "magenta": (0, 1, 0, 0), "yellow": (0, 0, 1, 0),
          "black": (0, 0, 0, 1)}


def patches(profile: Path = PROFILE, data: Path = DATA) -> list[dict]:
    """One row per patch: CMYK (0..1), the profile's Lab, the measured Lab, CIEDE2000."""
    out = subprocess.run(["profcheck", "-k", "-v2", str(data), str(profile)], capture_output=True, text=True,
                         check=True).stdout
    rows = []
    for line in out.splitlines():
        m = _ROW.match(line.strip())
        if m:
            rows.append({"cmyk": tuple(float(v) for v in m["cmyk"].split()),
                         "lab": tuple(float(v) for v in m["lab"].split()),
                         "ref": tuple(float(v) for v in m["ref"].split()), "de2000": float(m["de"])})
    return rows


def summary(rows: list[dict]) -> dict[str, float]:
    values = sorted(r["de2000"] for r in rows)
    return {"patches": len(values), "median": statistics.median(values), "mean": statistics.fmean(values),
            "p95": values[int(0.95 * (len(values) - 1))], "max": values[-1]}


def main() -> None:
    profile = Path(sys.argv[1]) if len(sys.argv) > 1 else PROFILE
    data = Path(sys.argv[2]) if len(sys.argv) > 2 else DATA
    rows = patches(profile, data)
    s = summary(rows)
    print(f"{profile.name} against {data.name}: {s['patches']} patches, CIEDE2000 median {s['median']:.3f}, "
          f"mean {s['mean']:.3f}, 95th percentile {s['p95']:.3f}, max {s['max']:.3f}\n")
    print("| solid | CMYK | profile L a b | measured L a b | ΔE2000 |\n|---|---|---|---|---|")
    for name, cmyk in SOLIDS.items():
        row = next(r for r in rows if r["cmyk"] == tuple(float(v) for v in cmyk))
        fmt = lambda lab: " / ".join(f"{v:.2f}" for v in lab)  # noqa: E731
        print(f"| {name} | {' '.join(f'{v * 100:.0f}' for v in cmyk)} | {fmt(row['lab'])} | {fmt(row['ref'])} | "
              f"{row['de2000']:.3f} |")
    worst = sorted(rows, key=lambda r: -r["de2000"])[:3]
    print("\nworst patches: " + "; ".join(f"CMYK {' '.join(f'{v * 100:.0f}' for v in r['cmyk'])}: {r['de2000']:.3f}"
                                          for r in worst))


if __name__ == "__main__":
    main()
