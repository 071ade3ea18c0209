"""Time `kkguide handout` of 3 chapters from the CLI (issue 5 target: under 3 s, median of 5).

    .venv/bin/python benchmarks/bench_handout.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KKGUIDE = str(Path(sys.executable).parent / "kkguide")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        cmd = [KKGUIDE, "handout", "-C", str(REPO), "--lang", "ar", "--chapters", "registration,health,emergency",
               "--counsellor", "Amina Yilmaz, Raum 112, 02821 85-0", "--date", "2026-11-25", "--out", out]
        subprocess.run(cmd, check=True, capture_output=True)  # warm-up
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    print(f"handout ar, 3 chapters: median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s, max {max(times):.2f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
