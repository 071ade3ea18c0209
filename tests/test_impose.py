"""Office booklet: imposed sheets follow the saddle-stitch formula, checked on a real PDF."""

from __future__ import annotations

import re

import pytest
import weasyprint

from kkguide.impose import impose, saddle_order
from conftest import tool


def test_saddle_order_formula():
    assert saddle_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    for n in (4, 12, 44, 64):
        sides = saddle_order(n)
        assert len(sides) == n // 2
        assert sorted(p for side in sides for p in side) == list(range(1, n + 1))
        for left, right in sides:
            assert left + right == n + 1  # facing pages of one sheet side add up to n + 1
    with pytest.raises(ValueError):
        saddle_order(10)


@pytest.mark.parametrize("pages, rtl", [(8, False), (12, False), (8, True)])
def test_imposed_sheets_read_in_order_when_folded(tmp_path, pages, rtl):
    html = "".join(f'<p style="break-after: page; font-size: 40pt">P{n}</p>' for n in range(1, pages + 1))
    data = weasyprint.HTML(string=f"<style>@page {{ size: A5 }}</style>{html}").write_pdf()
    out = tmp_path / "booklet.pdf"
    out.write_bytes(impose(data, right_to_left=rtl))
    info = tool("pdfinfo", str(out))
    assert f"Pages:           {pages // 2}" in info and "841.89 x 595.28" in info
    for side, (left, right) in enumerate(saddle_order(pages), 1):
        if rtl:  # bound on the right: the first page lies to the left of the last on the outer sheet
            left, right = right, left
        def text(x: int) -> str:
            return tool("pdftotext", "-f", str(side), "-l", str(side), "-x", str(x), "-y", "0",
                        "-W", "420", "-H", "595", str(out), "-").strip()
        assert re.findall(r"P\d+", text(0)) == [f"P{left}"]
        assert re.findall(r"P\d+", text(421)) == [f"P{right}"]
