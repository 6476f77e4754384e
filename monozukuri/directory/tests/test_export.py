"""Exporting a directory search: round trip, visibility, encodings, the page and the command."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from monozukuri.directory import exporting
from monozukuri.directory.models import IndustryDivision, Organization
from monozukuri.directory.services.imports import organizations_import
from monozukuri.directory.tests.factories import MembershipFactory, OrganizationFactory
from monozukuri.directory.tests.test_import import csv_bytes, gbizinfo_rows
from monozukuri.directory.visibility import Viewer

pytestmark = pytest.mark.django_db

OPERATOR = Viewer(authenticated=True, staff_municipality_ids=None, member_organization_ids=frozenset(),
                  is_admin=True)


@pytest.fixture
def directory(municipalities, sumida):
    """Imported firms plus hand-made records with the fields an import file rarely has."""
    from monozukuri.directory.reference_data import industry_divisions_load

    industry_divisions_load()
    organizations_import(actor=None, file=io.BytesIO(csv_bytes(list(gbizinfo_rows(60, seed=21, messy=0.5)))),
                         file_name="g.csv", default_industry="24")
    rows = [
        ["", "山田商店", "商店・その他", "1310031", "東京都", "墨田区", "墨田", "5-6-7", "131075",
         "03-1234-5678", "yamada@example.jp", "=SUM(A1)", "2か月ごとに訪問", "35.7", "139.8", "E24"],
        ["", "𠮷田工房", "デザイナー・クリエイター", "1300001", "東京都", "墨田区", "吾妻橋", "1-1-1",
         "131075", "+81-3-0000-1111", "", "手作り革小物", "", "", "", ""],
    ]
    header = ["法人番号", "名称", "種別", "郵便番号", "都道府県", "市区町村", "町域", "番地・建物",
              "自治体コード", "代表電話", "代表メール", "事業概要", "職員メモ", "緯度", "経度", "業種コード"]
    data = csv_bytes(rows, header=header, encoding="utf-8")
    result = organizations_import(actor=None, file=io.BytesIO(data), file_name="staff.csv")
    assert result.rows_created == 2, result.errors
    return Organization.objects.all()


def export_csv(queryset, *, viewer=OPERATOR, encoding="utf-8"):
    chunks, report = exporting.organizations_export_csv(user=None, queryset=queryset, encoding=encoding,
                                                        viewer=viewer)
    return b"".join(chunks), report


def reimport(data, name):
    return organizations_import(actor=None, file=io.BytesIO(data), file_name=name)


def snapshot():
    return list(Organization.objects.order_by("pk").values())


def rows_of(data, encoding="utf-8-sig"):
    return list(csv.DictReader(io.StringIO(data.decode(encoding))))


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_a_csv_export_imports_back_with_no_changes(directory, encoding):
    before = snapshot()
    data, _report = export_csv(directory, encoding=encoding)
    result = reimport(data, "export.csv")
    if encoding == "utf-8":
        assert (result.rows_created, result.rows_updated, result.rows_unchanged) == (0, 0, len(before))
        assert snapshot() == before
    else:  # 𠮷 became 〓: that record's name changes (the ID column still finds it), nothing else
        assert (result.rows_created, result.rows_updated, result.rows_unchanged) == (0, 1, len(before) - 1)
        assert Organization.objects.filter(name="〓田工房").count() == 1


def test_an_xlsx_export_imports_back_with_no_changes(directory):
    before = snapshot()
    out = io.BytesIO()
    exporting.organizations_export_xlsx(user=None, queryset=directory, file=out, viewer=OPERATOR)
    result = reimport(out.getvalue(), "export.xlsx")
    counts = (result.rows_created, result.rows_updated, result.rows_unchanged)
    assert counts == (0, 0, len(before)), result.errors
    assert snapshot() == before


def test_the_csv_export_starts_with_a_bom_and_uses_crlf(directory):
    data, report = export_csv(directory)
    assert data.startswith(b"\xef\xbb\xbfID,")
    assert b"\r\n" in data
    assert report.rows == directory.count()


def test_cp932_replaces_what_it_cannot_hold_and_counts_it(directory):
    data, report = export_csv(directory, encoding="cp932")
    assert report.replaced_characters == 1
    names = [r["名称"] for r in rows_of(data, "cp932")]
    assert "〓田工房" in names


def test_text_a_spreadsheet_would_run_as_a_formula_is_guarded(directory):
    data, _report = export_csv(directory)
    shop = next(r for r in rows_of(data) if r["名称"] == "山田商店")
    assert shop["事業概要"] == "'=SUM(A1)"
    reimport(data, "export.csv")
    assert Organization.objects.get(name="山田商店").summary == "=SUM(A1)"


def test_an_anonymous_export_has_no_staff_or_contact_columns(directory):
    data, _report = export_csv(directory, viewer=Viewer.of(None))
    header = rows_of(data)[0].keys()
    assert "名称" in header
    assert "資本金（円）" in header
    assert not {"代表電話", "代表メール", "職員メモ", "閉鎖日"} & set(header)


def test_a_group_hidden_by_one_organisation_is_empty_for_that_row_only(directory):
    shop = Organization.objects.get(name="山田商店")
    shop.visibility = {"size": "staff", "address": "staff"}
    shop.capital = 5_000_000
    shop.save()
    rows = {r["名称"]: r for r in rows_of(export_csv(directory, viewer=Viewer.of(None))[0])}
    assert rows["山田商店"]["資本金（円）"] == ""
    assert rows["山田商店"]["番地・建物"] == ""
    assert rows["山田商店"]["町域"] == "墨田"
    assert any(r["資本金（円）"] for name, r in rows.items() if name != "山田商店")


def test_staff_of_the_municipality_see_contacts_and_notes(directory, sumida_staff, arakawa_staff):
    rows = {r["名称"]: r for r in rows_of(export_csv(directory, viewer=Viewer.of(sumida_staff))[0])}
    assert (rows["山田商店"]["代表電話"], rows["山田商店"]["職員メモ"]) == ("03-1234-5678", "2か月ごとに訪問")
    other = {r["名称"]: r for r in rows_of(export_csv(directory, viewer=Viewer.of(arakawa_staff))[0])}
    assert other["山田商店"]["職員メモ"] == ""
    assert other["山田商店"]["代表電話"] == ""  # contact is staff-level by default


def test_a_partial_export_reimported_by_staff_erases_nothing(directory, sumida_staff):
    before = snapshot()
    data, _report = export_csv(directory, viewer=Viewer.of(None))
    result = organizations_import(actor=sumida_staff, file=io.BytesIO(data), file_name="public.csv")
    assert (result.rows_created, result.rows_updated, result.rows_invalid) == (0, 0, 0), result.errors
    assert snapshot() == before


def test_a_member_exports_its_own_contacts(directory, org_member):
    shop = Organization.objects.get(name="山田商店")
    MembershipFactory(organization=shop, user=org_member)
    rows = {r["名称"]: r for r in rows_of(export_csv(directory, viewer=Viewer.of(org_member))[0])}
    assert rows["山田商店"]["代表電話"] == "03-1234-5678"
    assert "職員メモ" not in rows["山田商店"] or rows["山田商店"]["職員メモ"] == ""


# ---- the page and the command ---------------------------------------------------------------------------


def test_the_export_page_offers_formats_and_keeps_the_filters(client, directory):
    response = client.get(reverse("directory:export"), {"municipality": "131075"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="municipality" value="131075"' in page


def test_the_export_page_streams_a_filtered_csv(client, directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("directory:export"), {"format": "csv", "encoding": "utf-8",
                                                            "municipality": "131181"})
        data = b"".join(response.streaming_content)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(data)
    assert rows
    assert all(r["自治体コード"] == "131181" for r in rows)
    assert "代表電話" not in rows[0]


def test_the_export_page_gives_xlsx(client, directory):
    from openpyxl import load_workbook

    response = client.get(reverse("directory:export"), {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("ID", "法人番号", "名称")
    assert len(rows) == directory.count() + 1


def test_a_bad_filter_is_a_400_with_the_reason(client, directory):
    response = client.get(reverse("directory:export"), {"format": "csv", "municipality": "999999"})
    assert response.status_code == 400
    assert "団体コード" in response.content.decode()


def test_the_command_writes_csv_and_xlsx_and_says_what_cp932_replaced(directory, tmp_path, capsys):
    path = tmp_path / "all.csv"
    call_command("export_organizations", str(path), "--encoding", "cp932")
    captured = capsys.readouterr()
    assert f"{directory.count()}件を書き出しました" in captured.out
    assert "1文字を「〓」に置き換えました" in captured.err
    xlsx = tmp_path / "sumida.xlsx"
    call_command("export_organizations", str(xlsx), "--filter", "municipality=131075", "--public")
    assert xlsx.read_bytes().startswith(b"PK")


def test_exported_dates_and_numbers_keep_their_values(directory):
    org = Organization.objects.exclude(founded_on=None).exclude(capital=None).first()
    org.closed_on = datetime.date(2024, 3, 31)
    org.industry = IndustryDivision.objects.get(code="24")
    org.save()
    row = next(r for r in rows_of(export_csv(directory)[0]) if r["ID"] == str(org.pk))
    assert row["設立年月日"] == org.founded_on.isoformat()
    assert row["閉鎖日"] == "2024-03-31"
    assert row["資本金（円）"] == str(org.capital)
    assert (row["業種コード"], row["種別"]) == ("24", org.get_kind_display())
    assert row["郵便番号"] == f"{org.postcode[:3]}-{org.postcode[3:]}"


def test_the_organisation_factory_record_exports(directory):
    OrganizationFactory(name="株式会社テスト", website="https://t.example.jp/")
    _data, report = export_csv(Organization.objects.filter(name="株式会社テスト"))
    assert report.rows == 1
