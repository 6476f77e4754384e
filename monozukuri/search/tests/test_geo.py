"""Coordinates: the centroid file, postcodes, distances and grid cells."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from monozukuri.search.geo import (
    CELL_LEVELS,
    Point,
    cell_tokens,
    cells_covering,
    haversine_km,
    municipality_centroid,
    municipality_centroids,
    postcode_point,
)

CORE_MUNICIPALITIES = Path(__file__).resolve().parents[2] / "core" / "data" / "municipalities.csv"


def test_every_tokyo_municipality_and_tmg_has_a_centroid_inside_tokyo() -> None:
    with CORE_MUNICIPALITIES.open(encoding="utf-8") as handle:
        codes = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    centroids = municipality_centroids()
    assert set(centroids) == set(codes)
    for code, centroid in centroids.items():
        assert centroid.name == codes[code]
        assert 24.0 < centroid.point.latitude < 36.0
        assert 136.0 < centroid.point.longitude < 154.0


def test_mainland_offices_are_where_the_wards_are() -> None:
    sumida, arakawa, ome = (municipality_centroid(c) for c in ("131075", "131181", "132055"))
    assert sumida
    assert arakawa
    assert ome
    assert 3 < haversine_km(sumida, arakawa) < 6
    assert 40 < haversine_km(sumida, ome) < 55


def test_a_postcode_is_placed_at_its_municipality_office() -> None:
    located = postcode_point("１３１-００３１")
    assert located is not None
    point, code = located
    assert code == "131075"
    assert point == municipality_centroid("131075")
    assert postcode_point("0000000") is None
    assert postcode_point("123") is None


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        (Point(35.6895, 139.6917), Point(35.6895, 139.6917), 0.0),
        (Point(35.0, 139.0), Point(36.0, 139.0), 111.2),
        (Point(35.6812, 139.7671), Point(34.7025, 135.4959), 403.5),  # Tokyo station – Osaka station
    ],
)
def test_haversine_distance(a: Point, b: Point, km: float) -> None:
    assert haversine_km(a, b) == pytest.approx(km, abs=0.5)


def test_the_cells_covering_a_circle_contain_every_point_in_it() -> None:
    rng = random.Random(3)
    for _ in range(200):
        center = Point(35.5 + rng.random() * 0.4, 139.2 + rng.random() * 0.7)
        radius = rng.choice([0.5, 2, 5, 12, 30, 80])
        cells = set(cells_covering(center, radius) or [])
        for _ in range(20):
            point = Point(
                center.latitude + rng.uniform(-1, 1) * radius / 111,
                center.longitude + rng.uniform(-1, 1) * radius / 90,
            )
            if haversine_km(center, point) <= radius:
                assert cells & set(cell_tokens(point)), (center, radius, point)


def test_a_huge_radius_needs_no_cell_condition() -> None:
    assert cells_covering(Point(35.7, 139.7), 5000) is None
    assert len(cell_tokens(Point(35.7, 139.7))) == len(CELL_LEVELS)
    assert cell_tokens(None) == []
