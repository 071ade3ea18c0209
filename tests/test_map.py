"""The map of the Kreis Kleve: its data, the committed drawing, the labels in the reader's script."""

from __future__ import annotations

import importlib.util
import math

import pytest

from conftest import REPO
from kkguide.errors import KkguideError
from kkguide.files import ProjectFiles
from kkguide.geomap import MAP_IMAGE, load_map
from kkguide.images import check_svg
from kkguide.markdown import make_markdown
from kkguide.project import load_catalogs, load_project, translation_for
from kkguide.render import render_html

KREIS = load_map(ProjectFiles.at(REPO))
# the 16 municipalities as the office's fact sheet lists them (shared/design/content-facts.md)
MUNICIPALITIES = {"Emmerich am Rhein", "Geldern", "Goch", "Kalkar", "Kevelaer", "Kleve", "Rees", "Straelen",
                  "Bedburg-Hau", "Issum", "Kerken", "Kranenburg", "Rheurdt", "Uedem", "Wachtendonk", "Weeze"}
TOWNS = {"Emmerich am Rhein", "Geldern", "Goch", "Kalkar", "Kevelaer", "Kleve", "Rees", "Straelen"}


def _make_map_script():
    spec = importlib.util.spec_from_file_location("make_map", REPO / "scripts/make-map.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_map_has_the_16_municipalities_and_their_kinds():
    assert {p.name for p in KREIS.places} == MUNICIPALITIES
    assert {p.name for p in KREIS.places if p.kind == "Stadt"} == TOWNS
    assert KREIS.welcome.x and KREIS.welcome.y


def test_committed_drawing_is_made_from_the_data():
    drawn = _make_map_script().drawing(REPO)
    assert (REPO / MAP_IMAGE).read_text(encoding="utf-8") == drawn, "run scripts/make-map.py"
    check_svg(drawn.encode("utf-8"))  # the build's own allow-list


def _inside(point, polygon) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1]):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def test_every_municipality_lies_on_the_german_side_of_the_border():
    west, south, east, north = KREIS.frame
    border = list(KREIS.border)
    netherlands = [(border[0][0], north), *border, (border[-1][0], south), (west, south), (west, north)]
    for place in KREIS.places:
        assert not _inside((place.lon, place.lat), netherlands), place.name


def test_distances_are_plausible():
    """Kleve to Emmerich, Goch and Geldern: about 10, 12 and 33 km as the crow flies."""
    at = {p.name: p for p in KREIS.places}

    def km(a, b):
        pa, pb = at[a], at[b]
        dx = (pa.lon - pb.lon) * 111.32 * math.cos(math.radians((pa.lat + pb.lat) / 2))
        return math.hypot(dx, (pa.lat - pb.lat) * 110.57)

    assert 7 < km("Kleve", "Emmerich am Rhein") < 13
    assert 9 < km("Kleve", "Goch") < 15
    assert 28 < km("Kleve", "Geldern") < 38


def test_labels_are_in_the_reader_script_with_the_german_name():
    project = load_project(REPO)
    config = project.config
    html = {}
    for code in ("ar", "ti", "uk", "de"):
        lang = config.language(code)
        translation = translation_for(project, lang, load_catalogs(project, [code])[code])
        html[code] = render_html(config, project.facts, project.chapters, translation, config.edition("screen"),
                                 make_markdown())
    assert "كليفه" in html["ar"] and "ክሌቨ" in html["ti"] and "Клеве" in html["uk"]
    for code in html:
        assert html[code].count('class="map-name" lang="de" dir="ltr">Kleve<') == 1, code
    assert 'class="map-local"' not in html["de"]


def test_bad_map_data_is_a_located_error(tmp_path):
    (tmp_path / "guide/map").mkdir(parents=True)
    text = (REPO / "guide/map/kreis-kleve.yml").read_text(encoding="utf-8")
    (tmp_path / "guide/map/kreis-kleve.yml").write_text(text.replace("kind: Gemeinde, at: [6.183", "kind: Dorf, at: [6.183"),
                                                        encoding="utf-8")
    with pytest.raises(KkguideError) as error:
        load_map(ProjectFiles.at(tmp_path))
    assert error.value.path == "guide/map/kreis-kleve.yml" and error.value.line > 20
