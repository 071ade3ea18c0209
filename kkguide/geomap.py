"""The map of the Kreis Kleve: a small data file of coordinates -> projected, labelled points.

``guide/map/kreis-kleve.yml`` holds town centres, the Dutch border and the rivers as WGS 84
longitude/latitude, with their source. ``load_map`` reads and validates it through the one door;
``project`` places everything in a box (equirectangular projection at the map's mean latitude,
which is exact enough for 60 km); ``map_svg`` draws the geometry (no words: labels are HTML text in
the reader's script, set over the drawing by the template, so that right-to-left and Ethiopic
labels are shaped like all other text and read by screen readers). ``scripts/make-map.py`` writes
the SVG into ``guide/images/``; a build only reads it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from markupsafe import escape

from .errors import KkguideError
from .frozen import FrozenMap
from .files import ProjectFiles
from .yamlfile import Located, check_keys, load_yaml

MAP_FILE = "guide/map/kreis-kleve.yml"
MAP_IMAGE = "guide/images/kreis-kleve-karte.svg"
KINDS = ("Stadt", "Gemeinde")
LABEL_SIDES = ("n", "e", "s", "w")
WIDTH = 1000.0   # SVG user units across the map


@dataclass(frozen=True)
class Place:
    name: str                 # German name, as on road signs
    kind: str                 # Stadt or Gemeinde
    lon: float
    lat: float
    label: str                # side of the point the label goes: n, e, s, w
    x: float = 0.0            # projected, percent of the map's width (0 = west)
    y: float = 0.0            # projected, percent of the map's height (0 = north)


@dataclass(frozen=True)
class KreisMap:
    source: str
    chapter: str
    frame: tuple[float, float, float, float]          # west, south, east, north
    places: tuple[Place, ...]
    welcome: Place
    border: tuple[tuple[float, float], ...]
    rivers: tuple[tuple[str, tuple[tuple[float, float], ...]], ...]
    names: Mapping[str, Mapping[str, str]]            # language -> German name -> name in its script

    @property
    def aspect(self) -> float:
        """Height / width of the projected frame."""
        west, south, east, north = self.frame
        return (north - south) / ((east - west) * math.cos(math.radians((north + south) / 2)))

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        """Percent of width and height from the north-west corner."""
        west, south, east, north = self.frame
        return (100 * (lon - west) / (east - west), 100 * (north - lat) / (north - south))

    def label(self, place: Place, lang: str) -> str:
        """The place's name in the reader's script ('' where the language writes it as German)."""
        return self.names.get(lang, {}).get(place.name, "")


def _pair(doc: Located, value, *key) -> tuple[float, float]:
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        raise KkguideError("expected [longitude, latitude] in degrees", doc.path, doc.line(*key))
    lon, lat = float(value[0]), float(value[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise KkguideError(f"[{lon}, {lat}] is not a longitude and latitude", doc.path, doc.line(*key))
    return lon, lat


def _line(doc: Located, value, *key) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise KkguideError("expected a list of at least two [longitude, latitude] points", doc.path, doc.line(*key))
    return tuple(_pair(doc, p, *key, i) for i, p in enumerate(value))


def load_map(files: ProjectFiles) -> KreisMap | None:
    """The validated map, or None if the guide has no map file."""
    if not files.is_file(MAP_FILE, "map data"):
        return None
    doc = load_yaml(files.read_text(MAP_FILE), MAP_FILE)
    data = doc.data
    check_keys(doc, data, (), {"source", "checked", "chapter", "frame", "welcome_center", "municipalities",
                               "border"}, {"rivers", "names"})
    frame = data["frame"]
    if (not isinstance(frame, list) or len(frame) != 4
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in frame)
            or not (frame[0] < frame[2] and frame[1] < frame[3])):
        raise KkguideError("'frame' must be [west, south, east, north] in degrees", doc.path, doc.line("frame"))
    bounds = tuple(float(v) for v in frame)
    places = []
    seen = set()
    for i, item in enumerate(data["municipalities"] or []):
        check_keys(doc, item, ("municipalities", i), {"name", "kind", "at", "label"})
        name = str(item["name"])
        if name in seen:
            raise KkguideError(f"'{name}' is listed twice", doc.path, doc.line("municipalities", i))
        seen.add(name)
        if item["kind"] not in KINDS:
            raise KkguideError(f"kind must be one of {', '.join(KINDS)}", doc.path, doc.line("municipalities", i))
        if item["label"] not in LABEL_SIDES:
            raise KkguideError(f"label must be one of {', '.join(LABEL_SIDES)}", doc.path, doc.line("municipalities", i))
        lon, lat = _pair(doc, item["at"], "municipalities", i)
        if not (bounds[0] < lon < bounds[2] and bounds[1] < lat < bounds[3]):
            raise KkguideError(f"'{name}' lies outside the map's frame", doc.path, doc.line("municipalities", i))
        places.append(Place(name, item["kind"], lon, lat, item["label"]))
    welcome = data["welcome_center"]
    check_keys(doc, welcome, ("welcome_center",), {"at", "municipality"})
    if welcome["municipality"] not in seen:
        raise KkguideError("welcome_center names a municipality that is not on the map", doc.path,
                           doc.line("welcome_center"))
    lon, lat = _pair(doc, welcome["at"], "welcome_center", "at")
    names = data.get("names") or {}
    if not isinstance(names, dict):
        raise KkguideError("'names' must map language codes to names", doc.path, doc.line("names"))
    for code, table in names.items():
        if not isinstance(table, dict):
            raise KkguideError(f"names for '{code}' must map German names to names", doc.path, doc.line("names", code))
        unknown = sorted(set(table) - seen)
        if unknown:
            raise KkguideError(f"names for '{code}' name '{unknown[0]}', which is not on the map", doc.path,
                               doc.line("names", code))
    rivers = tuple((str(r.get("name", "")), _line(doc, r.get("line"), "rivers", i))
                   for i, r in enumerate(data.get("rivers") or []))
    kreis = KreisMap(str(data["source"]), str(data["chapter"]), bounds, (), Place("Welcome-Center", "", lon, lat, "s"),
                     _line(doc, data["border"], "border"), rivers,
                     FrozenMap({str(c): FrozenMap({str(k): str(v) for k, v in t.items()}) for c, t in names.items()}))
    return _projected(kreis, places)


def _projected(kreis: KreisMap, places: list[Place]) -> KreisMap:
    def at(p: Place) -> Place:
        x, y = kreis.xy(p.lon, p.lat)
        return Place(p.name, p.kind, p.lon, p.lat, p.label, round(x, 2), round(y, 2))

    return KreisMap(kreis.source, kreis.chapter, kreis.frame, tuple(at(p) for p in places), at(kreis.welcome),
                    kreis.border, kreis.rivers, kreis.names)


# --- the drawing ---------------------------------------------------------------------------------

def _points(kreis: KreisMap, line, height: float) -> str:
    return " ".join(f"{x * WIDTH / 100:.1f},{y * height / 100:.1f}" for x, y in (kreis.xy(*p) for p in line))


def map_svg(kreis: KreisMap, colours: dict[str, str]) -> str:
    """The map's geometry as SVG (for guide/images/): land, the Netherlands, rivers, border,
    places, the Welcome-Center, a 10 km scale bar and north. ``colours``: land, nl, water,
    border, town, ink, accent."""
    h = WIDTH * kreis.aspect
    west, south, east, north = kreis.frame
    # the Netherlands: north and west of the border, closed along the frame's west and north edges
    first, last = kreis.xy(*kreis.border[0]), kreis.xy(*kreis.border[-1])
    nl = (f"{first[0] * WIDTH / 100:.1f},0 " + _points(kreis, kreis.border, h)
          + f" {last[0] * WIDTH / 100:.1f},{h:.1f} 0,{h:.1f} 0,0")
    km = WIDTH / ((east - west) * 111.32 * math.cos(math.radians((north + south) / 2)))  # units per km
    c = {k: escape(v) for k, v in colours.items()}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {h:.0f}" '
           f'width="{WIDTH / 10:.0f}mm" height="{h / 10:.0f}mm">',
           f'  <title>Kreis Kleve: 16 Städte und Gemeinden, Grenze zu den Niederlanden</title>',
           f'  <desc>{escape(kreis.source)}</desc>',
           f'  <rect width="{WIDTH:.0f}" height="{h:.0f}" fill="{c["land"]}"/>',
           f'  <polygon points="{nl}" fill="{c["nl"]}"/>']
    for _name, line in kreis.rivers:
        out.append(f'  <polyline points="{_points(kreis, line, h)}" fill="none" stroke="{c["water"]}" '
                   'stroke-width="14" stroke-linecap="round" stroke-linejoin="round"/>')
    out.append(f'  <polyline points="{_points(kreis, kreis.border, h)}" fill="none" stroke="{c["border"]}" '
               'stroke-width="5" stroke-dasharray="22 9 5 9" stroke-linejoin="round"/>')
    for p in kreis.places:
        x, y = p.x * WIDTH / 100, p.y * h / 100
        if p.kind == "Stadt":
            out.append(f'  <rect x="{x - 11:.1f}" y="{y - 11:.1f}" width="22" height="22" fill="{c["town"]}" '
                       f'stroke="#ffffff" stroke-width="4"/>')
        else:
            out.append(f'  <circle cx="{x:.1f}" cy="{y:.1f}" r="10" fill="{c["town"]}" stroke="#ffffff" stroke-width="4"/>')
    wx, wy = kreis.welcome.x * WIDTH / 100, kreis.welcome.y * h / 100
    out.append(f'  <circle cx="{wx:.1f}" cy="{wy:.1f}" r="27" fill="none" stroke="{c["accent"]}" stroke-width="9"/>')
    # 10 km scale bar and north arrow, bottom right (words-free: "10 km" is a unit, the arrow says N)
    sx, sy = WIDTH - 40 - 10 * km, h - 40
    out.append(f'  <g fill="{c["ink"]}"><rect x="{sx:.1f}" y="{sy:.1f}" width="{5 * km:.1f}" height="9"/>'
               f'<rect x="{sx + 5 * km:.1f}" y="{sy:.1f}" width="{5 * km:.1f}" height="9" fill="#ffffff" '
               f'stroke="{c["ink"]}" stroke-width="3"/></g>')
    out.append(f'  <path d="M{WIDTH - 60:.0f} {h - 130:.0f} l20 -60 l20 60 l-20 -16 z" fill="{c["ink"]}"/>')
    # country codes as on car plates: the same in every language
    out.append(f'  <g font-family="Noto Sans, sans-serif" font-weight="bold" font-size="40" fill="{c["ink"]}" '
               f'fill-opacity="0.55"><text x="40" y="70">NL</text><text x="{WIDTH - 90:.0f}" y="{h * 0.45:.0f}">D</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
