"""The 技術・製品分野 column: the export writes each organisation's capabilities, the import reads them back.

A cell names capabilities by name, identifier or English name, separated by 、 , ; or new lines. A
non-empty cell sets the record's capabilities to exactly those (links that stay keep their notes); an
empty cell leaves them as they are, as every empty cell of an import does.
"""

from __future__ import annotations

import io

import pytest
from django_scopes import scopes_disabled

from monozukuri.directory.models import Capability, Organization, OrganizationCapability
from monozukuri.directory.reference_data import capabilities_load, industry_divisions_load
from monozukuri.directory.services.imports import organizations_import
from monozukuri.directory.tests.test_export import OPERATOR, export_csv
from monozukuri.directory.tests.test_import import corporate_number, csv_bytes

pytestmark = pytest.mark.django_db
HEADER = ["法人番号", "名称", "郵便番号", "所在地", "技術・製品分野"]


@pytest.fixture
def taxonomy(municipalities):
    industry_divisions_load()
    capabilities_load()
    return {c.slug: c for c in Capability.objects.all()}


def row(n: int, capabilities: str) -> list[str]:
    return [corporate_number(930_000 + n), f"株式会社試験{n}製作所", "1310031", f"東京都墨田区墨田1-2-{n}",
            capabilities]


def run(rows, **options):
    data = csv_bytes(rows, header=HEADER, encoding="utf-8")
    return organizations_import(actor=None, file=io.BytesIO(data), file_name="caps.csv", **options)


def slugs_of(n: int) -> set[str]:
    org = Organization.objects.get(corporate_number=corporate_number(930_000 + n))
    with scopes_disabled():
        return set(org.capability_links.values_list("capability__slug", flat=True))


@pytest.mark.parametrize(("cell", "expected"), [
    ("切削加工", {"cutting"}),
    ("切削加工、溶接", {"cutting", "welding"}),
    ("切削加工,溶接;バフ研磨", {"cutting", "welding", "buffing"}),
    ("welding", {"welding"}),  # the identifier
    ("WELDING", {"welding"}),  # its case does not matter
    ("Welding", {"welding"}),  # the English name
    ("切削加工、切削加工", {"cutting"}),  # once each
    (" 溶接 、\nバフ研磨 ", {"welding", "buffing"}),
])
def test_a_cell_names_capabilities_the_ways_people_write_them(taxonomy, cell, expected):
    result = run([row(1, cell)])
    assert result.rows_created == 1, result.errors
    assert slugs_of(1) == expected


@pytest.mark.parametrize(("cell", "reason"), [
    ("切削加工、空中浮遊", "技術・製品分野「空中浮遊」は登録されていません。"),
    ("ようせつ", "技術・製品分野「ようせつ」は登録されていません。"),  # readings are not names
])
def test_an_unknown_capability_refuses_the_file_naming_line_column_and_reason(taxonomy, cell, reason):
    result = run([row(1, "溶接"), row(2, cell)])
    assert result.status == "rejected"
    assert Organization.objects.count() == 0
    [error] = result.errors
    assert (error.line, error.column) == (3, "技術・製品分野")
    assert error.message.startswith(reason)


def test_a_name_two_capabilities_share_must_be_given_by_identifier(taxonomy):
    Capability.objects.create(kind="material", slug="welding-rod", label="溶接", reading="ようせつ")
    result = run([row(1, "溶接")])
    assert result.status == "rejected"
    assert "識別子で指定してください" in result.errors[0].message
    assert run([row(1, "welding-rod")]).rows_created == 1
    assert slugs_of(1) == {"welding-rod"}


def test_a_changed_cell_replaces_the_capabilities_and_keeps_the_notes_of_those_that_stay(taxonomy):
    run([row(1, "切削加工、溶接")])
    with scopes_disabled():
        OrganizationCapability.objects.filter(capability__slug="welding").update(note="TIG も可")

    result = run([row(1, "溶接、バフ研磨")])

    assert (result.rows_updated, result.rows_unchanged) == (1, 0)
    assert slugs_of(1) == {"welding", "buffing"}
    with scopes_disabled():
        assert OrganizationCapability.objects.get(capability__slug="welding").note == "TIG も可"


def test_an_empty_cell_leaves_the_capabilities_and_the_same_cell_changes_nothing(taxonomy):
    run([row(1, "切削加工、溶接")])
    assert run([row(1, "")]).rows_unchanged == 1
    assert run([row(1, "溶接、切削加工")]).rows_unchanged == 1  # the same set, in another order
    assert slugs_of(1) == {"cutting", "welding"}


def test_a_dry_run_counts_a_capability_change_and_writes_nothing(taxonomy):
    run([row(1, "切削加工")])
    result = run([row(1, "バフ研磨")], dry_run=True)
    assert result.rows_updated == 1
    assert slugs_of(1) == {"cutting"}


@pytest.mark.parametrize("reader", ["inline", "process"])
def test_a_capability_change_found_in_a_later_batch_of_the_same_file_applies(taxonomy, reader):
    from monozukuri.directory.importing.engine import ImportOptions, run_import

    rows = [row(1, "切削加工"), row(2, "溶接"), row(1, "バフ研磨")]
    data = csv_bytes(rows, header=HEADER, encoding="utf-8")
    result = run_import(io.BytesIO(data), ImportOptions(file_name="x.csv", batch_size=2, reader=reader))
    assert (result.rows_created, result.rows_updated) == (2, 1)
    assert (slugs_of(1), slugs_of(2)) == ({"buffing"}, {"welding"})


def test_the_export_writes_the_capabilities_and_imports_back_unchanged(taxonomy):
    run([row(1, "切削加工、溶接"), row(2, "")])
    data, _report = export_csv(Organization.objects.all(), viewer=OPERATOR)
    header, *lines = data.decode("utf-8-sig").splitlines()
    column = header.split(",").index("技術・製品分野")
    assert sorted(line.split(",")[column] for line in lines) == ["", "切削加工、溶接"]

    result = organizations_import(actor=None, file=io.BytesIO(data), file_name="export.csv")

    assert (result.rows_unchanged, result.rows_updated, result.rows_invalid) == (2, 0, 0), result.errors
    assert (slugs_of(1), slugs_of(2)) == ({"cutting", "welding"}, set())


def test_the_reason_is_in_english_for_an_english_speaking_importer(taxonomy):
    from django.utils import translation

    with translation.override("en"):
        result = run([row(1, "空中浮遊")])
    assert result.errors[0].message == ("The capability “空中浮遊” is not in the taxonomy. Use a name or an "
                                        "identifier from the list of capabilities.")


def test_the_capability_names_are_read_only_for_a_file_that_has_the_column(taxonomy,
                                                                          django_assert_num_queries):
    from monozukuri.directory.derive import ReferenceIds
    from monozukuri.directory.importing.parsers import known_codes

    refs = ReferenceIds.load()
    with django_assert_num_queries(0):
        known = known_codes(refs)
        assert set(known) == {"divisions", "municipalities"}
    with django_assert_num_queries(1):
        assert known["capabilities"]["welding"] == taxonomy["welding"].pk
        assert known["capabilities"]["溶接"] == taxonomy["welding"].pk
    with pytest.raises(KeyError):
        known["anything else"]
