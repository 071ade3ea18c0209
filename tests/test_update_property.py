"""Property: after any sequence of German edits, `kkguide update` loses no translation."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polib
from hypothesis import HealthCheck, given, settings, strategies as st
from click.testing import CliRunner

from kkguide.cli import main
from conftest import make_project, tool

PARAS = [f"Absatz Nummer {i} erklärt das Thema {w} in einfachen Worten." for i, w in
         enumerate(["Wohnung", "Arbeit", "Schule", "Arzt", "Geld"])]
PO = "translations/ar/LC_MESSAGES/guide.po"

ops = st.lists(st.tuples(st.sampled_from(["edit", "delete", "restore", "add"]), st.integers(0, 4)),
               min_size=1, max_size=6)


def _write_chapter(root: Path, paras: list[str]) -> None:
    body = "\n\n".join(paras)
    (root / "chapters/01-anmelden.md").write_text(
        f"---\nid: registration\ntitle: Anmelden\norder: 1\nsummary: Kurz.\n---\n{body}\n", encoding="utf-8")


def _update(root: Path) -> None:
    result = CliRunner().invoke(main, ["update", "-C", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_no_translation_is_ever_lost(operations):
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp) / "p")
        (root / "chapters/02-notruf.md").unlink()
        current = list(PARAS)
        _write_chapter(root, current)
        _update(root)
        po = polib.pofile(str(root / PO), wrapwidth=0)
        made = set()
        for i, para in enumerate(PARAS):
            po.find(para).msgstr = f"ترجمة رقم {i}"
            made.add(f"ترجمة رقم {i}")
        po.save()
        removed: list[str] = []
        for op, n in operations:
            if op == "edit" and current:
                i = n % len(current)
                current[i] = current[i].replace(" in ", " ganz in ", 1) if " in " in current[i] else current[i] + " Mehr."
            elif op == "delete" and current:
                removed.append(current.pop(n % len(current)))
            elif op == "restore" and removed:
                current.insert(n % (len(current) + 1), removed.pop())
            elif op == "add":
                current.append(f"Ein neuer Absatz {len(current)} über Vereine.")
            _write_chapter(root, current)
            _update(root)
            kept = {e.msgstr for e in polib.pofile(str(root / PO)) if e.msgstr}
            assert made <= kept, f"lost: {made - kept} after {op}"
            tool("msgfmt", "-c", "-o", "/dev/null", str(root / PO))
        # a paragraph that is back to its original text is translated again, not fuzzy
        final = polib.pofile(str(root / PO))
        for i, para in enumerate(PARAS):
            if para in current:
                entry = final.find(para)
                assert entry.msgstr == f"ترجمة رقم {i}" and "fuzzy" not in entry.flags
