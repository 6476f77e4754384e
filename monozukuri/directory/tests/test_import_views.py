"""The staff upload page and the import report."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from monozukuri.directory.models import ImportRun, ImportStatus, Organization
from monozukuri.directory.services.imports import organizations_import
from monozukuri.directory.tests.test_import import corporate_number, csv_bytes, gbiz_row, gbizinfo_rows

pytestmark = pytest.mark.django_db

UPLOAD = reverse("directory:import-upload")


@pytest.fixture
def divisions(db):
    from monozukuri.directory.reference_data import industry_divisions_load

    industry_divisions_load()


def upload(client, data, name="gbizinfo.csv", **fields):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data), "file_format": "auto",
                                "encoding": "auto", **fields})


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_people_who_are_not_staff_are_refused(client, municipalities, public_user, partner_user):
    for user in (public_user, partner_user):
        client.force_login(user)
        assert client.get(UPLOAD).status_code == 403
        assert upload(client, csv_bytes([gbiz_row()])).status_code == 403
    assert Organization.objects.count() == 0


def test_staff_import_a_file_and_see_the_counts(client, municipalities, divisions, sumida_staff):
    client.force_login(sumida_staff)
    response = upload(client, csv_bytes(list(gbizinfo_rows(25, seed=5))), default_industry="24")
    with scopes_disabled():
        run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:import-detail", args=[run.pk])
    assert (run.municipality, run.status, run.rows_created) == (sumida_staff.municipality, "completed", 25)
    page = client.get(response["Location"]).content.decode()
    assert "取り込みました。" in page
    assert Organization.objects.count() == 25


def test_a_rejected_file_shows_every_bad_row_and_a_form_to_upload_the_fixed_one(
        client, municipalities, divisions, sumida_staff):
    client.force_login(sumida_staff)
    rows = [gbiz_row(corporate_number(910_000)),
            gbiz_row(corporate_number(910_001), **{"設立年月日": "令和5年2月30日"}),
            gbiz_row(corporate_number(910_002), **{"法人番号": "7010401067252"})]
    response = upload(client, csv_bytes(rows), name="members.csv")
    page = client.get(response["Location"]).content.decode()

    assert "不備があるため、何も書き込みませんでした。" in page
    assert "<th scope=\"col\">行</th><th scope=\"col\">列</th><th scope=\"col\">理由</th>" in page
    assert "<tr><td>3</td><td lang=\"ja\">設立年月日</td><td>「令和5年2月30日」は存在しない日付です。" in page
    assert "<tr><td>4</td><td lang=\"ja\">法人番号</td>" in page
    assert 'enctype="multipart/form-data"' in page
    assert Organization.objects.count() == 0

    fixed = [rows[0], gbiz_row(corporate_number(910_001)), gbiz_row(corporate_number(910_002))]
    response = upload(client, csv_bytes(fixed), name="members.csv")
    assert "取り込みました。" in client.get(response["Location"]).content.decode()
    assert Organization.objects.count() == 3


def test_a_dry_run_upload_writes_nothing(client, municipalities, divisions, sumida_staff):
    client.force_login(sumida_staff)
    response = upload(client, csv_bytes([gbiz_row()]), dry_run="on")
    page = client.get(response["Location"]).content.decode()
    assert "試行のため、何も書き込んでいません。" in page
    assert Organization.objects.count() == 0


def test_another_offices_import_is_not_found(client, municipalities, divisions, sumida_staff, arakawa_staff):
    data = csv_bytes([gbiz_row()])
    result = organizations_import(actor=sumida_staff, file=io.BytesIO(data), file_name="s.csv")
    url = reverse("directory:import-detail", args=[result.import_run.pk])
    client.force_login(arakawa_staff)
    assert client.get(url).status_code == 404
    assert "s.csv" not in client.get(UPLOAD).content.decode()
    client.force_login(sumida_staff)
    assert client.get(url).status_code == 200
    assert "s.csv" in client.get(UPLOAD).content.decode()


def test_the_upload_page_lists_recent_runs_with_a_fixed_number_of_queries(
        client, municipalities, divisions, sumida_staff, django_assert_max_num_queries):
    for i in range(5):
        data = csv_bytes([gbiz_row()])
        organizations_import(actor=sumida_staff, file=io.BytesIO(data), file_name=f"{i}.csv")
    client.force_login(sumida_staff)
    with django_assert_max_num_queries(12):
        response = client.get(UPLOAD)
    page = response.content.decode()
    assert all(f"<td>{i}.csv</td>" in page for i in range(5))


def test_a_failed_upload_field_is_reported_on_the_form(client, municipalities, sumida_staff):
    client.force_login(sumida_staff)
    response = client.post(UPLOAD, {"file_format": "auto", "encoding": "auto"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    with scopes_disabled():
        assert ImportRun.objects.filter(status=ImportStatus.COMPLETED).count() == 0


def test_a_big_upload_is_imported_by_a_task_and_its_page_waits_for_the_report(
        client, municipalities, divisions, sumida_staff, settings, django_capture_on_commit_callbacks):
    from monozukuri.directory.importing.tasks import organizations_import_queued

    settings.DIRECTORY_IMPORT_INLINE_BYTES = 100
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # not run yet
    client.force_login(sumida_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(list(gbizinfo_rows(12, seed=3))), default_industry="24")
    with scopes_disabled():
        run = ImportRun.objects.get()
    assert (run.status, run.municipality, run.actor) == (ImportStatus.QUEUED, sumida_staff.municipality,
                                                        sumida_staff)
    assert Organization.objects.count() == 0  # nothing imported within the request
    page = client.get(response["Location"]).content.decode()
    assert "大きなファイルのため、順番に取り込んでいます。" in page
    assert 'http-equiv="refresh"' in page

    from django_tasks import default_task_backend

    (queued,) = default_task_backend.results
    assert queued.task.func == organizations_import_queued.func
    organizations_import_queued.call(*queued.args, **queued.kwargs)

    with scopes_disabled():
        run.refresh_from_db()
    assert (run.status, run.rows_created) == (ImportStatus.COMPLETED, 12)
    assert Organization.objects.filter(industry__code="24").count() == 12
    page = client.get(response["Location"]).content.decode()
    assert "取り込みました。" in page
    assert 'http-equiv="refresh"' not in page


def test_a_big_rejected_upload_reports_every_bad_row_when_its_task_is_done(
        client, municipalities, divisions, sumida_staff, settings, django_capture_on_commit_callbacks):
    settings.DIRECTORY_IMPORT_INLINE_BYTES = 100  # the test settings run tasks at once
    client.force_login(sumida_staff)
    rows = [*gbizinfo_rows(3, seed=2), gbiz_row(corporate_number(912_000), **{"資本金": "abc"})]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(rows))
    with scopes_disabled():
        run = ImportRun.objects.get()
    assert (run.status, run.rows_invalid) == (ImportStatus.REJECTED, 1)
    assert [(e["line"], e["column"]) for e in run.errors] == [(5, "資本金")]
    assert Organization.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "不備があるため、何も書き込みませんでした。" in page
