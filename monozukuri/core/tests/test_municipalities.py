"""The municipalities reference data (core/data/municipalities.csv) and the Municipality model."""

from __future__ import annotations

import csv

import pytest
from django.core.exceptions import ValidationError

from monozukuri.core.identifiers import validate_municipality_code
from monozukuri.core.models import Municipality, MunicipalityKind
from monozukuri.core.reference_data import DATA_DIR, municipalities_load


def _rows() -> list[dict[str, str]]:
    with (DATA_DIR / "municipalities.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_reference_file_has_tokyos_62_municipalities_and_tmg():
    rows = _rows()

    assert len(rows) == 63
    assert len({row["code"] for row in rows}) == 63
    assert [row["code"] for row in rows if row["kind"] == MunicipalityKind.PREFECTURE] == ["130001"]


@pytest.mark.parametrize("row", _rows(), ids=lambda row: row["code"])
def test_every_reference_code_passes_its_check_digit(row):
    assert validate_municipality_code(row["code"]) == row["code"]
    assert row["code"].startswith("13")
    assert all(row[column] for column in ("name", "kana", "name_en"))
    assert row["kind"] in MunicipalityKind.values


def test_reference_kinds_add_up():
    kinds = [row["kind"] for row in _rows()]

    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "prefecture": 1, "ward": 23, "city": 26, "town": 5, "village": 8,
    }


@pytest.mark.parametrize(
    ("code", "name", "name_en"),
    [
        ("131075", "墨田区", "Sumida City"),
        ("131181", "荒川区", "Arakawa City"),
        ("131199", "板橋区", "Itabashi City"),
        ("132055", "青梅市", "Ome City"),
        ("130001", "東京都", "Tokyo Metropolitan Government"),
    ],
)
def test_plan_municipalities_and_tmg_are_in_the_reference_data(municipalities, code, name, name_en):
    assert municipalities[code].name == name
    assert municipalities[code].name_en == name_en


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    assert municipalities_load() == 63
    assert municipalities_load() == 63

    assert Municipality.objects.count() == 63


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("131076", "チェックデジット"),
        ("13107", "半角数字6桁"),
        ("１３１０７５", "半角数字6桁"),
        ("13107A", "数字以外"),
    ],
    ids=["check-digit", "five-digits", "full-width", "letter"],
)
def test_a_stored_code_must_be_six_valid_ascii_digits(code, message):
    municipality = Municipality(code=code, name="墨田区", kana="すみだく", name_en="Sumida City",
                                kind=MunicipalityKind.SPECIAL_WARD)

    with pytest.raises(ValidationError) as excinfo:
        municipality.full_clean(validate_unique=False)

    assert message in " ".join(excinfo.value.message_dict["code"])


def test_display_name_follows_the_language(municipalities):
    from django.utils import translation

    sumida = municipalities["131075"]
    with translation.override("ja"):
        assert sumida.display_name == "墨田区"
    with translation.override("en"):
        assert sumida.display_name == "Sumida City"


@pytest.mark.django_db
def test_the_command_loads_the_municipalities(capsys):
    from django.core.management import call_command

    call_command("load_municipalities")

    assert "municipalities: 63" in capsys.readouterr().out
    assert Municipality.objects.get(code="130001").kind == MunicipalityKind.PREFECTURE
