"""Office printing: a booklet imposed 2-up on A4 landscape in saddle-stitch order.

Print the result duplex, flipping on the short edge, fold the stack once and staple it: the pages
then read 1, 2, 3 ... n. For n pages (n a multiple of 4), sheet s (from 0) carries on its front
n - 2s (left) and 2s + 1 (right), and on its back 2s + 2 (left) and n - 2s - 1 (right).
"""

from __future__ import annotations

import io

import pikepdf

A4_LANDSCAPE = (841.89, 595.28)


def saddle_order(pages: int) -> list[tuple[int, int]]:
    """(left, right) page numbers, 1-based, of every printed side in printing order."""
    if pages % 4:
        raise ValueError(f"{pages} pages: a saddle-stitched booklet needs a multiple of 4")
    sides = []
    for sheet in range(pages // 4):
        sides.append((pages - 2 * sheet, 2 * sheet + 1))
        sides.append((2 * sheet + 2, pages - 2 * sheet - 1))
    return sides


def impose(data: bytes, right_to_left: bool = False) -> bytes:
    """Place the pages of an A5 booklet two by two on A4 landscape sheets.

    A right-to-left booklet is bound on the right: each side's two pages swap places."""
    with pikepdf.open(io.BytesIO(data)) as source, pikepdf.new() as out:
        width, height = A4_LANDSCAPE
        half = width / 2
        for left, right in saddle_order(len(source.pages)):
            if right_to_left:
                left, right = right, left
            out.add_blank_page(page_size=(width, height))
            sheet = out.pages[-1]
            forms, content = pikepdf.Dictionary(), []
            for slot, (number, x) in enumerate(((left, 0.0), (right, half)), 1):
                form = out.copy_foreign(source.pages[number - 1].as_form_xobject())
                x0, y0, x1, y1 = (float(v) for v in form.BBox)
                scale = min(half / (x1 - x0), height / (y1 - y0))
                tx = x + (half - (x1 - x0) * scale) / 2 - x0 * scale
                ty = (height - (y1 - y0) * scale) / 2 - y0 * scale
                forms[f"/P{slot}"] = form  # fixed names: the same booklet gives the same bytes
                content.append(f"q {scale:.5f} 0 0 {scale:.5f} {tx:.3f} {ty:.3f} cm /P{slot} Do Q")
            sheet.obj.Resources = pikepdf.Dictionary(XObject=forms)
            sheet.obj.Contents = out.make_stream("\n".join(content).encode())
        if "/Lang" in source.Root:
            out.Root.Lang = source.Root.Lang
        out.docinfo = out.copy_foreign(source.docinfo)
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True)
        return buffer.getvalue()
