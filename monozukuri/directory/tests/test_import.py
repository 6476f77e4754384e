"""Importing organisations: formats, encodings, all-or-nothing, upsert, dry run, duplicates, the command."""

from __future__ import annotations

import csv
import datetime
import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from monozukuri.core.models import AuditEvent
from monozukuri.directory import sme
from monozukuri.directory.models import (
    DuplicateFlag,
    ImportRun,
    ImportStatus,
    IndustryDivision,
    Organization,
    OrganizationSource,
    SmeClass,
    SourceKind,
)
from monozukuri.directory.reference_data import industry_divisions_load
from monozukuri.directory.services.imports import organizations_import
from monozukuri.directory.tests.factories import OrganizationFactory

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from bench.make_gbizinfo import HEADER, corporate_number, gbizinfo_firms, gbizinfo_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def divisions(db):
    industry_divisions_load()


def csv_bytes(rows, *, header=HEADER, encoding="cp932"):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def gbiz_row(number=None, **cells):
    """One gBizINFO row with sensible values; keyword arguments by header name override cells."""
    row = dict.fromkeys(HEADER, "")
    row.update({"法人番号": number or corporate_number(900_000), "法人名": "株式会社山田製作所",
                "法人名ふりがな": "やまだせいさくしょ", "郵便番号": "131-0031",
                "本社所在地": "東京都墨田区墨田1丁目2番3号",
                "資本金": "10000000", "従業員数": "12", "設立年月日": "1970-04-01"})
    row.update(cells)
    return [row[h] for h in HEADER]


def run_import(data, *, name="gbizinfo.csv", **kwargs):
    return organizations_import(actor=None, file=io.BytesIO(data), file_name=name, **kwargs)


def org_count():
    return Organization.objects.count()


# ---- the real-shaped file -------------------------------------------------------------------------------


def test_real_shaped_cp932_gbizinfo_file_imports_with_municipalities_sme_classes_and_dates(
        municipalities, divisions):
    firms = list(gbizinfo_firms(300, seed=11, messy=0.4))
    data = csv_bytes([row for row, _ in firms])

    result = run_import(data, default_industry="24")

    assert (result.status, result.encoding, result.file_format) == ("completed", "cp932", "gbizinfo")
    assert (result.rows_total, result.rows_created, result.rows_invalid) == (300, 300, 0)
    orgs = {o.corporate_number: o for o in Organization.objects.select_related("municipality", "industry")}
    classes = set()
    for row, firm in firms:
        org = orgs[firm.corporate_number]
        if row[HEADER.index("郵便番号")]:
            assert org.municipality.code == firm.municipality_code
            assert (org.postcode, org.town) == (firm.postcode, firm.town)
        else:  # no postcode: the address is kept as written, the municipality unknown (derive_fields)
            assert org.municipality is None
            assert org.city
            assert org.city in row[HEADER.index("本社所在地")]
        assert org.founded_on == firm.founded_on
        assert (org.capital, org.employees) == (firm.capital, firm.employees)
        assert org.industry.code == "24"
        expected = sme.classify(division_code="24", capital=firm.capital, employees=firm.employees)
        assert org.sme_class == expected.sme_class
        assert org.status == ("closed" if firm.closed else "active")
        assert "(株)" not in org.name
        assert "㈱" not in org.name
        classes.add(org.sme_class)
    assert {SmeClass.SMALL, SmeClass.SME, SmeClass.LARGE} <= classes


def test_messy_values_are_read_the_way_people_mean_them(municipalities, divisions):
    row = gbiz_row(**{"法人名": "㈱ 山田製作所", "資本金": "１億円", "従業員数": "１２人",
                      "設立年月日": "令和元年5月1日", "創業年": "昭和45年", "郵便番号": "1310031",
                      "本社所在地": "東京都墨田区墨田１丁目２番３号"})
    run_import(csv_bytes([row]))
    org = Organization.objects.get()
    assert org.name == "株式会社山田製作所"
    assert (org.capital, org.employees) == (100_000_000, 12)
    assert (org.founded_on, org.founded_year) == (datetime.date(2019, 5, 1), 1970)
    assert (org.prefecture, org.city, org.town, org.street) == ("東京都", "墨田区", "墨田", "1-2-3")
    assert org.municipality.code == "131075"


def test_gbizinfo_has_no_industry_so_industry_stays_unset_and_sme_unknown(municipalities, divisions):
    run_import(csv_bytes([gbiz_row()]))
    org = Organization.objects.get()
    assert org.industry is None
    assert org.sme_class == SmeClass.UNKNOWN
    assert org.kind == "other"


def test_an_industry_column_in_a_gbizinfo_file_is_used(municipalities, divisions):
    header = [*HEADER, "業種コード"]
    run_import(csv_bytes([[*gbiz_row(), "E24"]], header=header))
    org = Organization.objects.get()
    assert (org.industry.code, org.kind, org.sme_class) == ("24", "manufacturer", SmeClass.SMALL)


# ---- upsert -----------------------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(municipalities, divisions):
    data = csv_bytes(list(gbizinfo_rows(120, seed=4, messy=0.5)))
    run_import(data, default_industry="24")
    before = list(Organization.objects.order_by("pk").values())
    sources = OrganizationSource.objects.count()
    events = AuditEvent.objects.count()

    again = run_import(data, default_industry="24")

    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 120)
    assert list(Organization.objects.order_by("pk").values()) == before
    assert OrganizationSource.objects.count() == sources
    assert AuditEvent.objects.count() == events + 1  # the run itself, nothing per row


def test_a_changed_row_updates_only_what_it_gives(municipalities, divisions):
    run_import(csv_bytes([gbiz_row(**{"企業ホームページ": "https://yamada.example.jp/"})]))
    org = Organization.objects.get()
    org.staff_notes, org.phone = "訪問済み", "03-1234-5678"
    org.industry = IndustryDivision.objects.get(code="24")
    org.save()

    result = run_import(csv_bytes([gbiz_row(**{"従業員数": "30", "企業ホームページ": ""})]))

    assert (result.rows_updated, result.rows_unchanged) == (1, 0)
    org.refresh_from_db()
    assert org.employees == 30
    assert (org.staff_notes, org.phone, org.website) == ("訪問済み", "03-1234-5678", "https://yamada.example.jp/")
    assert org.industry.code == "24"
    assert org.sme_class == SmeClass.SME  # recomputed with the industry staff set
    assert OrganizationSource.objects.filter(organization=org).count() == 2


def test_import_records_its_source_and_does_not_touch_last_confirmed_on(municipalities, divisions):
    OrganizationFactory(corporate_number=corporate_number(900_000),
                        last_confirmed_on=datetime.date(2024, 4, 1))
    run_import(csv_bytes([gbiz_row()]), name="gbiz-2024.csv")
    org = Organization.objects.get()
    assert org.last_confirmed_on == datetime.date(2024, 4, 1)
    source = OrganizationSource.objects.get(organization=org)
    assert (source.kind, source.reference) == (SourceKind.GBIZINFO, "gbiz-2024.csv")


def test_the_same_corporate_number_twice_in_a_file_is_one_record(municipalities, divisions):
    result = run_import(csv_bytes([gbiz_row(**{"従業員数": "5"}), gbiz_row(**{"従業員数": "7"})]))
    assert result.rows_created == 1
    assert Organization.objects.get().employees == 7


def test_closure_in_the_registry_closes_the_record(municipalities, divisions):
    run_import(csv_bytes([gbiz_row()]))
    run_import(csv_bytes([gbiz_row(**{"ステータス": "閉鎖", "登記記録の閉鎖等年月日": "令和5年3月31日"})]))
    org = Organization.objects.get()
    assert (org.status, org.closed_on) == ("closed", datetime.date(2023, 3, 31))


def test_a_row_without_corporate_number_matches_by_name_and_address(municipalities, divisions):
    existing = OrganizationFactory(corporate_number=None, name="山田商店", postcode="1310031", town="墨田",
                                   street="1-2-3", address_normalized="東京都墨田区墨田1-2-3")
    header = ["名称", "郵便番号", "所在地", "代表電話"]
    data = csv_bytes([["山田商店", "131-0031", "東京都墨田区墨田1丁目2番3号", "03-1111-2222"]],
                     header=header, encoding="utf-8")
    result = run_import(data, name="staff.csv")
    assert (result.rows_created, result.rows_updated) == (0, 1)
    existing.refresh_from_db()
    assert existing.phone == "03-1111-2222"


def test_a_row_for_a_merged_record_updates_the_record_it_was_merged_into(municipalities, divisions):
    keep = OrganizationFactory(corporate_number=None)
    OrganizationFactory(corporate_number=corporate_number(900_000), merged_into=keep)
    result = run_import(csv_bytes([gbiz_row(**{"従業員数": "44"})]))
    assert (result.rows_created, result.rows_updated) == (0, 1)
    keep.refresh_from_db()
    assert keep.employees == 44
    assert keep.corporate_number is None  # the number stays with the merged-away record


# ---- all or nothing ---------------------------------------------------------------------------------------


BAD_CELLS = [
    ("法人番号", "7010401067252", "チェックデジット"),
    ("法人番号", "501040106725", "13桁"),
    ("設立年月日", "令和5年2月30日", "存在しない日付"),
    ("郵便番号", "1319999", "日本郵便のデータにありません"),
    ("資本金", "-1000000", "負の値"),
    ("従業員数", "十数人", "人数として読み取れません"),
    ("法人名", "", "必須"),
    ("企業ホームページ", "なし", "アドレスとして読み取れません"),
    ("創業年", "昔", "年として読み取れません"),
]


@pytest.mark.parametrize(("column", "value", "reason"), BAD_CELLS)
def test_a_bad_row_refuses_the_whole_file_and_names_line_column_and_reason(
        municipalities, divisions, column, value, reason):
    rows = [gbiz_row(corporate_number(900_100 + i), **{"法人名": f"株式会社正常{i}"}) for i in range(3)]
    rows.insert(2, gbiz_row(corporate_number(900_200), **{column: value}))

    result = run_import(csv_bytes(rows))

    assert result.status == ImportStatus.REJECTED
    assert org_count() == 0
    assert result.rows_invalid == 1
    [error] = result.errors
    assert (error.line, error.column) == (4, column)  # header is line 1, the bad row the third data row
    assert reason in error.message
    with scopes_disabled():
        run = ImportRun.objects.get()
    assert run.status == ImportStatus.REJECTED
    assert run.errors == [{"line": 4, "column": column, "message": error.message}]


def test_the_report_lists_every_bad_row(municipalities, divisions):
    rows = [gbiz_row(corporate_number(900_300 + i), **{"法人名": f"株式会社正常{i}"}) for i in range(10)]
    for index, (column, value, _reason) in enumerate(BAD_CELLS):
        rows.append(gbiz_row(corporate_number(900_400 + index), **{column: value}))
    rows.append(gbiz_row(corporate_number(900_500), **{"資本金": "abc", "従業員数": "-1"}))

    result = run_import(csv_bytes(rows))

    assert result.rows_invalid == len(BAD_CELLS) + 1
    lines = [e.line for e in result.errors]
    assert lines == sorted(lines)
    assert set(lines) == set(range(12, 12 + len(BAD_CELLS) + 1))
    assert [e.column for e in result.errors if e.line == lines[-1]] == ["資本金", "従業員数"]
    assert org_count() == 0


def test_line_numbers_count_physical_lines_when_a_value_spans_several(municipalities, divisions):
    rows = [gbiz_row(corporate_number(900_600), **{"事業概要": "一行目\n二行目\n三行目"}),
            gbiz_row(corporate_number(900_601), **{"資本金": "abc"})]
    result = run_import(csv_bytes(rows))
    assert [e.line for e in result.errors] == [5]


def test_skip_invalid_writes_the_valid_rows_and_reports_the_rest(municipalities, divisions):
    rows = [gbiz_row(corporate_number(900_700 + i), **{"法人名": f"株式会社正常{i}"}) for i in range(4)]
    rows.append(gbiz_row(corporate_number(900_800), **{"従業員数": "多数"}))

    result = run_import(csv_bytes(rows), skip_invalid=True)

    assert result.status == ImportStatus.PARTIAL
    assert (result.rows_created, result.rows_invalid) == (4, 1)
    assert org_count() == 4
    assert result.errors[0].line == 6


def test_dry_run_writes_nothing_and_reports_what_would_change(municipalities, divisions):
    run_import(csv_bytes([gbiz_row(corporate_number(900_900))]))
    rows = [gbiz_row(corporate_number(900_900), **{"従業員数": "99"}), gbiz_row(corporate_number(900_901)),
            gbiz_row(corporate_number(900_902), **{"資本金": "abc"})]
    before = list(Organization.objects.values())

    result = run_import(csv_bytes(rows), dry_run=True)

    assert result.status == ImportStatus.DRY_RUN
    assert (result.rows_created, result.rows_updated, result.rows_invalid) == (1, 1, 1)
    assert list(Organization.objects.values()) == before
    assert OrganizationSource.objects.count() == 1


# ---- formats and encodings --------------------------------------------------------------------------------


def nta_row(number, *, name="株式会社国税商事", process="01", latest="1", hidden="0", closed_on="", seq=1):
    row = [""] * 30
    row[0], row[1], row[2], row[4], row[6] = str(seq), number, process, "2024-04-01", name
    row[9], row[10], row[11], row[15] = "東京都", "板橋区", "舟渡1丁目2番3号", "1740041"
    row[18], row[23], row[29] = closed_on, latest, hidden
    row[24], row[28] = "Kokuzei Shoji Co., Ltd.", "コクゼイショウジ"
    return row


def test_nta_file_skips_history_hidden_and_deleted_rows_and_marks_closures(municipalities, divisions):
    rows = [
        nta_row(corporate_number(901_000), seq=1),
        nta_row(corporate_number(901_001), name="旧商号株式会社", latest="0", seq=2),
        nta_row(corporate_number(901_002), hidden="1", seq=3),
        nta_row(corporate_number(901_003), process="99", seq=4),
        nta_row(corporate_number(901_004), process="21", closed_on="2023-12-31", seq=5),
    ]
    result = run_import(csv_bytes(rows, header=None, encoding="cp932"), name="00_zenkoku_all.csv")

    assert result.file_format == "nta"
    assert (result.rows_total, result.rows_created, result.rows_skipped) == (5, 2, 3)
    org = Organization.objects.get(corporate_number=corporate_number(901_000))
    assert (org.name, org.kana) == ("株式会社国税商事", "コクゼイショウジ")
    assert org.name_en == "Kokuzei Shoji Co., Ltd."
    assert (org.municipality.code, org.town, org.street) == ("131199", "舟渡", "1-2-3")
    closed = Organization.objects.get(corporate_number=corporate_number(901_004))
    assert (closed.status, closed.closed_on) == ("closed", datetime.date(2023, 12, 31))
    assert OrganizationSource.objects.filter(kind=SourceKind.NTA).count() == 2


def test_nta_errors_name_the_column_by_position(municipalities, divisions):
    result = run_import(csv_bytes([nta_row("1234567890123")], header=None))
    assert result.errors[0].column == "2列目（法人番号）"


def test_xlsx_in_our_format_imports(municipalities, divisions):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["法人番号", "名称", "種別", "郵便番号", "所在地", "業種コード", "資本金（円）", "従業員数",
                  "設立年月日"])
    sheet.append([corporate_number(902_000), "(株)青梅精機", "製造業", "198-0042", "東京都青梅市東青梅1-2-3",
                  26, 30_000_000, 25, datetime.datetime(1985, 6, 1)])
    sheet.append([None] * 9)
    sheet.append([corporate_number(902_001), "青梅電機", "製造業", "1980042", "東京都青梅市東青梅4-5-6",
                  "E29", "3000万円", "abc", "S60.6.1"])
    out = io.BytesIO()
    workbook.save(out)

    result = run_import(out.getvalue(), name="staff.xlsx")

    assert (result.encoding, result.file_format) == ("xlsx", "monozukuri")
    assert [(e.line, e.column) for e in result.errors] == [(4, "従業員数")]
    result = run_import(out.getvalue(), name="staff.xlsx", skip_invalid=True)
    org = Organization.objects.get()
    assert (org.name, org.kind, org.industry.code, org.capital, org.employees) == (
        "株式会社青梅精機", "manufacturer", "26", 30_000_000, 25)
    assert org.founded_on == datetime.date(1985, 6, 1)
    assert org.sme_class == SmeClass.SME  # manufacturing: 25 employees is not small, ¥30M is within ¥300M


@pytest.mark.parametrize(("encoding", "detected"), [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"),
                                                    ("cp932", "cp932")])
def test_encoding_is_detected(municipalities, divisions, encoding, detected):
    result = run_import(csv_bytes([gbiz_row(**{"法人名": "㈱髙橋製作所"})], encoding=encoding))
    assert result.encoding == detected
    assert Organization.objects.get().name == "株式会社髙橋製作所"


def test_a_file_in_neither_utf8_nor_cp932_is_refused(municipalities, divisions):
    data = "法人番号,法人名,本社所在地\n".encode("utf-16")
    result = run_import(data)
    assert result.status == ImportStatus.REJECTED
    assert "文字コード" in result.errors[0].message


def test_a_utf8_file_with_a_stray_cp932_line_is_refused_at_that_line(municipalities, divisions):
    good = csv_bytes([gbiz_row(corporate_number(903_000 + i), **{"法人名": f"株式会社正常{i}"})
                      for i in range(2)], encoding="utf-8")
    data = good + csv_bytes([gbiz_row(corporate_number(903_100))], header=None, encoding="cp932")
    result = run_import(data, encoding="utf-8")
    assert result.status == ImportStatus.REJECTED
    assert "読めない文字" in result.errors[-1].message
    assert org_count() == 0


def test_an_unknown_header_is_refused_with_what_was_expected(municipalities, divisions):
    result = run_import(csv_bytes([["a", "b"]], header=["列1", "列2"], encoding="utf-8"))
    assert result.status == ImportStatus.REJECTED
    assert "形式を判別できません" in result.errors[0].message


def test_unknown_columns_of_our_format_are_reported_as_ignored(municipalities, divisions):
    data = csv_bytes([["山田商店", "x"]], header=["名称", "資本金(千円)"], encoding="utf-8")
    result = run_import(data)
    assert result.ignored_columns == ["資本金(千円)"]


# ---- duplicates -------------------------------------------------------------------------------------------


def test_a_new_record_like_an_existing_one_is_flagged_for_staff(municipalities, divisions, sumida):
    same_place = OrganizationFactory(corporate_number=corporate_number(904_000), name="株式会社山田製作所",
                                     name_normalized="山田製作所", municipality=sumida,
                                     address_normalized="東京都墨田区墨田1-2-3")
    same_site = OrganizationFactory(corporate_number=None, name="別名の会社", website="https://yamada.example.jp/",
                                    website_normalized="yamada.example.jp")
    row = gbiz_row(corporate_number(904_001), **{"企業ホームページ": "http://www.yamada.example.jp"})

    result = run_import(csv_bytes([row]))

    assert result.duplicates_flagged == 2
    new = Organization.objects.get(corporate_number=corporate_number(904_001))
    with scopes_disabled():
        flags = {(f.duplicate_of_id, f.reason, f.municipality_id)
                 for f in DuplicateFlag.objects.filter(organization=new)}
    assert flags == {(same_place.pk, "name_address", sumida.pk), (same_site.pk, "website", sumida.pk)}


def test_two_new_records_of_one_file_with_the_same_phone_are_flagged(municipalities, divisions):
    header = ["法人番号", "名称", "郵便番号", "所在地", "代表電話"]
    rows = [[corporate_number(905_000), "甲製作所", "1310031", "東京都墨田区墨田1-1-1", "03-3333-4444"],
            [corporate_number(905_001), "乙製作所", "1310032", "東京都墨田区東向島2-2-2", "03(3333)4444"]]
    result = run_import(csv_bytes(rows, header=header, encoding="utf-8"))
    assert result.duplicates_flagged == 1
    with scopes_disabled():
        flag = DuplicateFlag.objects.get()
    assert flag.reason == "phone"


# ---- the run, the audit trail, the command, the reader --------------------------------------------------


def test_each_import_records_a_run_and_one_audit_event(municipalities, divisions, sumida_staff):
    data = csv_bytes(list(gbizinfo_rows(30, seed=2)))
    result = organizations_import(actor=sumida_staff, file=io.BytesIO(data), file_name="g.csv")
    run = result.import_run
    assert (run.municipality, run.actor, run.rows_created, run.status) == (
        sumida_staff.municipality, sumida_staff, 30, ImportStatus.COMPLETED)
    [event] = AuditEvent.objects.filter(action="directory.organizations_import")
    assert event.changes["rows_created"] == [None, 30]
    assert event.municipality_id == sumida_staff.municipality_id


def test_only_staff_may_import(municipalities, divisions, public_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        organizations_import(actor=public_user, file=io.BytesIO(b""), file_name="x.csv")


def test_command_imports_and_exits_non_zero_when_rows_are_invalid(
        municipalities, divisions, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(list(gbizinfo_rows(20, seed=3))))
    call_command("import_organizations", str(good), "--municipality", "131075", "--default-industry", "24")
    assert org_count() == 20
    assert "新規 20" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([gbiz_row(corporate_number(906_000), **{"資本金": "abc"})]))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_organizations", str(bad))
    assert exit_info.value.code == 1
    assert "2行目 [資本金]" in capsys.readouterr().err
    call_command("import_organizations", str(bad), "--skip-invalid", "--dry-run")
    assert org_count() == 20


@pytest.mark.parametrize("reader", ["thread", "process"])
def test_the_reader_thread_and_process_give_the_same_result(municipalities, divisions, reader):
    from monozukuri.directory.importing.engine import ImportOptions
    from monozukuri.directory.importing.engine import run_import as engine_run

    rows = list(gbizinfo_rows(40, seed=9))
    rows.append(gbiz_row(corporate_number(907_000), **{"資本金": "abc"}))
    data = csv_bytes(rows)
    result = engine_run(io.BytesIO(data), ImportOptions(file_name="x.csv", reader=reader, batch_size=7,
                                                       skip_invalid=True))
    assert (result.rows_created, result.rows_invalid, result.errors[0].line) == (40, 1, 42)
    assert org_count() == 40


def test_names_with_quotes_commas_and_backslashes_match_again_on_reimport(municipalities, divisions):
    header = ["名称", "郵便番号", "所在地"]
    rows = [['工房"匠"', "1310031", "東京都墨田区墨田1-1-1"],
            ["A\\B,C商会", "1310031", "東京都墨田区墨田2-2-2"]]
    data = csv_bytes(rows, header=header, encoding="utf-8")
    assert run_import(data).rows_created == 2
    again = run_import(data)
    assert (again.rows_created, again.rows_unchanged) == (0, 2)


# ---- throughput machinery: what it must not change ------------------------------------------------------


def test_a_parsed_batch_crosses_the_pipe_unchanged(municipalities, divisions):
    from monozukuri.directory.derive import ReferenceIds
    from monozukuri.directory.importing import engine, formats
    from monozukuri.directory.importing.parsers import RowParser, known_codes

    refs = ReferenceIds.load()
    rows = [*gbizinfo_rows(60, seed=4),
            gbiz_row(corporate_number(908_000), **{
                "登記記録の閉鎖等年月日": "令和5年3月31日", "ステータス": "閉鎖", "創業年": "昭和45年",
                "企業ホームページ": "www.example.jp"})]
    layout = formats.bind_header(formats.GBIZINFO, HEADER, known_codes(refs))
    parser = RowParser(layout, refs=refs, default_division="24")
    errors: list = []
    parsed = [parser.parse(line, cells, errors) for line, cells in enumerate(rows, start=2)]
    batch = engine._Batch(parser.derive_batch([p for p in parsed if p], errors), errors, len(rows), 0, 0)

    again = engine._decode_batch(engine._encode_batch(batch))

    assert not errors
    assert [(r.line, r.values, r.record, r.division_used) for r in again.rows] == \
        [(r.line, r.values, r.record, r.division_used) for r in batch.rows]
    closed = again.rows[-1]
    assert (closed.values["closed_on"], closed.record["status"]) == (datetime.date(2023, 3, 31), "closed")


def test_a_bad_value_repeated_on_many_lines_is_reported_on_each(municipalities, divisions):
    rows = [gbiz_row(corporate_number(909_000 + i), **{"設立年月日": "令和5年2月30日", "資本金": "abc"})
            for i in range(3)]
    result = run_import(csv_bytes(rows))

    assert sorted((e.line, e.column) for e in result.errors) == sorted(
        (line, column) for line in (2, 3, 4) for column in ("資本金", "設立年月日"))
    capital_errors = {e.message for e in result.errors if e.column == "資本金"}
    assert capital_errors == {"資本金「abc」は金額として読み取れません。例: 10000000、1,000万円、1億円"}


def test_the_run_records_the_registry_rows_it_skipped(municipalities, divisions):
    rows = [nta_row(corporate_number(910_000), seq=1),
            nta_row(corporate_number(910_001), latest="0", seq=2)]
    result = run_import(csv_bytes(rows, header=None))

    with scopes_disabled():
        run = ImportRun.objects.get(pk=result.import_run.pk)
    assert (run.rows_total, run.rows_created, run.rows_skipped) == (2, 1, 1)


def test_after_the_commit_the_changed_records_are_reindexed_for_search(
        municipalities, divisions, django_capture_on_commit_callbacks):
    from monozukuri.search.models import SearchDocument

    data = csv_bytes(list(gbizinfo_rows(3, seed=5)))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = run_import(data)

    assert result.rows_created == 3
    assert len(callbacks) == 1
    assert sorted(SearchDocument.objects.values_list("object_id", flat=True)) == \
        sorted(Organization.objects.values_list("id", flat=True))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert run_import(data).rows_unchanged == 3
    assert callbacks == []  # nothing changed, nothing for the index


def test_a_big_import_asks_for_a_full_index_rebuild_instead_of_ids(
        municipalities, divisions, monkeypatch, django_capture_on_commit_callbacks):
    from monozukuri.directory.importing import engine
    from monozukuri.directory.services import imports

    asked: list = []
    monkeypatch.setattr(engine, "REINDEX_BY_ID_LIMIT", 2)
    monkeypatch.setattr(imports, "index_catch_up",
                        lambda ids, *, all_changed: asked.append((ids, all_changed)))
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import(csv_bytes(list(gbizinfo_rows(3, seed=6))))

    assert (result.rows_created, result.changed_ids, result.reindex_all) == (3, [], True)
    assert asked == [([], True)]


def test_a_rebuild_asked_for_by_an_import_indexes_every_record(municipalities, divisions):
    from monozukuri.directory.importing.tasks import index_catch_up
    from monozukuri.search.models import SearchDocument

    run_import(csv_bytes(list(gbizinfo_rows(4, seed=7))))
    assert not SearchDocument.objects.exists()  # the import itself leaves the index alone

    index_catch_up([], all_changed=True)

    assert SearchDocument.objects.count() == 4


def test_dry_runs_and_refused_files_leave_nothing_for_the_index(municipalities, divisions):
    data = csv_bytes(list(gbizinfo_rows(2, seed=8)))
    dry = run_import(data, dry_run=True)
    refused = run_import(csv_bytes([*gbizinfo_rows(2, seed=8), gbiz_row(**{"資本金": "abc"})]))

    assert (dry.changed_ids, dry.reindex_all) == ([], False)
    assert (refused.changed_ids, refused.reindex_all) == ([], False)


@pytest.mark.parametrize(("division", "capital", "employees", "rule"), [
    ("24", 300_000_001, 301, "製造業・建設業・運輸業その他: 資本金3億円超かつ従業員300人超のため大企業"),
    ("24", 300_000_000, 301, "製造業・建設業・運輸業その他: 資本金3億円以下のため中小企業者"),
    ("24", None, 20, "製造業・建設業・運輸業その他: 従業員20人以下のため小規模企業者"),
    ("50", None, 100, "卸売業: 従業員100人以下のため中小企業者"),
    ("75", 50_000_000, None, "サービス業: 資本金5,000万円以下のため中小企業者"),
    ("58", 60_000_000, None, "小売業: 資本金または従業員数が不明のため判定できません。"),
    ("19", None, None, "資本金と従業員数が不明のため判定できません（ゴム製品製造業（政令による特例））。"),
    (None, 1, 1, "業種が未設定のため判定できません。"),
])
def test_sme_rules_read_as_the_law_writes_them(division, capital, employees, rule):
    result = sme.classify(division_code=division, capital=capital, employees=employees)
    assert result.rule == rule
    given_language = sme.classify(division_code=division, capital=capital, employees=employees, language="ja")
    assert given_language.rule == rule
