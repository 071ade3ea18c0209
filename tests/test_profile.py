"""The output profile against the FOGRA39 characterisation data (ArgyllCMS profcheck), and a
shop's own profile in place of kkguide's."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pikepdf
import pytest

from conftest import REPO, make_printable, make_project
from kkguide.preflight import preflight

sys.path.insert(0, str(REPO / "benchmarks"))
from profile_accuracy import DATA, PROFILE, patches, summary  # noqa: E402

SHOP_PROFILE = Path(__file__).parent / "fixtures/profiles/fogra29-test.icc"  # colprof -ql from FOGRA29L data


@pytest.mark.skipif(shutil.which("profcheck") is None or not DATA.is_file(),
                    reason="needs Debian argyll and icc-profiles-free (scripts/setup-system.sh test)")
def test_output_profile_matches_the_fogra39_data():
    rows = patches(PROFILE, DATA)
    figures = summary(rows)
    assert figures["patches"] == 1617  # every FOGRA39L patch was looked up
    assert figures["median"] < 0.3 and figures["max"] < 1.0, figures  # docs/print-profile.md: 0.089 / 0.583
    cyan = next(r for r in rows if r["cmyk"] == (1.0, 0.0, 0.0, 0.0))
    assert cyan["ref"] == (55.0, -37.0, -50.0) and cyan["de2000"] < 0.1


@pytest.mark.skipif(shutil.which("profcheck") is None or not DATA.is_file(), reason="needs argyll")
def test_the_accuracy_check_fails_a_profile_made_for_other_data():
    """profcheck is not tuned to pass: the FOGRA29 (uncoated) profile misses the FOGRA39 data."""
    assert summary(patches(SHOP_PROFILE, DATA))["median"] > 2.0


def test_a_shops_own_profile_is_used_for_conversion_and_output_intent(tmp_path, cli):
    root = make_printable(make_project(tmp_path / "mini"))
    shutil.copy(SHOP_PROFILE, root / "styles/icc/shop.icc")
    guide = root / "guide/guide.yml"
    guide.write_text(guide.read_text().replace("styles/icc/FOGRA39-kkguide.icc", "styles/icc/shop.icc")
                     .replace("output_condition: FOGRA39", "output_condition: FOGRA29"))
    assert cli(root, "build", "--lang", "de", "--edition", "print", "--jobs", "1").exit_code == 0
    pdf = root / "dist/de/kreis-kleve-welcome-guide-de-print.pdf"
    with pikepdf.open(pdf) as doc:
        intent = doc.Root.OutputIntents[0]
        assert str(intent.OutputConditionIdentifier) == "FOGRA29"
        assert intent.DestOutputProfile.read_bytes() == SHOP_PROFILE.read_bytes()
        fills = {tuple(round(float(v), 4) for v in operands)
                 for page in doc.pages for operands, op in pikepdf.parse_content_stream(page) if str(op) == "k"}
    # the blue of large headings (#1b3a4b) converted through this profile, not through FOGRA39's
    from kkguide.press import rgb_to_cmyk

    navy = (0x1b / 255, 0x3a / 255, 0x4b / 255)
    assert rgb_to_cmyk(navy, SHOP_PROFILE.read_bytes()) in fills
    assert rgb_to_cmyk(navy, PROFILE.read_bytes()) not in fills
    assert preflight(pdf).ok, preflight(pdf).text()
