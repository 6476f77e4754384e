"""Directory pages: importing a file (staff) and exporting a directory search (anyone, what they may see)."""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone

from monozukuri.core.forms import add_service_errors
from monozukuri.directory import exporting, permissions, selectors
from monozukuri.directory.importing.forms import ExportForm, ImportUploadForm
from monozukuri.directory.importing.runs import import_run_get, import_run_list
from monozukuri.directory.indexing.params import is_search
from monozukuri.directory.models import ImportRun, ImportStatus
from monozukuri.directory.services.imports import organizations_import, organizations_import_enqueue
from monozukuri.directory.visibility import Viewer
from monozukuri.search.engine import COUNT_CAP

EXPORT_PARAMS = ("format", "encoding")
# About 10,000 gBizINFO rows: imported within a few seconds, so the page can wait for the report.
DEFAULT_INLINE_IMPORT_BYTES = 4 * 1024 * 1024


def _require_import(request: HttpRequest) -> None:
    if not permissions.can_import(request.user):
        raise PermissionDenied


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Staff upload a gBizINFO, NTA or monozukuri file; the report follows on the run's page."""
    _require_import(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        options = {
            "dry_run": form.cleaned_data["dry_run"], "skip_invalid": form.cleaned_data["skip_invalid"],
            "file_format": form.cleaned_data["file_format"], "encoding": form.cleaned_data["encoding"],
            "default_industry": form.cleaned_data["default_industry"] or None,
            "default_kind": form.cleaned_data["default_kind"] or None,
        }
        try:
            if upload.size > inline_import_bytes():  # a big file: imported by a task, not in this request
                run = organizations_import_enqueue(actor=request.user, file=upload, file_name=upload.name,
                                                   **options)
            else:
                run = organizations_import(actor=request.user, file=upload, file_name=upload.name,
                                           **options).import_run
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("directory:import-detail", pk=run.pk)
    return render(request, "directory/import_upload.html", {
        "form": form, "runs": import_run_list(user=request.user),
    })


def inline_import_bytes() -> int:
    """Uploads up to this size are imported in the request; bigger ones by a background task."""
    return int(getattr(settings, "DIRECTORY_IMPORT_INLINE_BYTES", DEFAULT_INLINE_IMPORT_BYTES))


def _run_summary(run: ImportRun) -> dict[str, Any]:
    counted = run.rows_created + run.rows_updated + run.rows_unchanged + run.rows_invalid
    return {
        "written": run.status in (ImportStatus.COMPLETED, ImportStatus.PARTIAL),
        "rejected": run.status == ImportStatus.REJECTED,
        "dry_run": run.status == ImportStatus.DRY_RUN,
        "queued": run.status == ImportStatus.QUEUED,
        # Runs recorded before ImportRun.rows_skipped existed: what the other counts leave over.
        "skipped": (run.rows_skipped or max(run.rows_total - counted, 0))
        if run.status not in (ImportStatus.REJECTED, ImportStatus.QUEUED) else None,
        "errors_listed": len(run.errors),
    }


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import's report: counts and every bad row (行, 列, 理由), with a form to upload the fixed file."""
    _require_import(request)
    run = import_run_get(user=request.user, pk=pk)
    form = ImportUploadForm(initial={"file_format": run.file_format or "auto"})
    return render(request, "directory/import_detail.html", {"run": run, "form": form, **_run_summary(run)})


def export(request: HttpRequest) -> HttpResponseBase:
    """A directory search (the list's filters in the query string) as CSV or XLSX, as far as the viewer
    may see it; without `format`, the page to choose one."""
    if not permissions.can_export(request.user):
        raise PermissionDenied
    filters = {key: request.GET.getlist(key) for key in request.GET if key not in EXPORT_PARAMS}
    form = ExportForm(request.GET if "format" in request.GET else None)
    if not form.is_bound or not form.is_valid():
        return render(request, "directory/export_form.html", {
            "form": form, "filters": [(k, v) for k, values in filters.items() for v in values],
            "search": is_search(filters), "search_limit": f"{COUNT_CAP:,}"})
    viewer = Viewer.of(request.user)
    try:
        queryset = selectors.organization_export_list(user=request.user, filters=filters, viewer=viewer)
    except ValidationError as exc:
        return render(request, "directory/export_form.html", {
            "form": form, "filter_errors": exc.messages,
            "filters": [(k, v) for k, values in filters.items() for v in values]}, status=400)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if form.cleaned_data["format"] == "xlsx":
        file = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
        exporting.organizations_export_xlsx(user=request.user, queryset=queryset, file=file, viewer=viewer)
        file.seek(0)
        return FileResponse(file, as_attachment=True, filename=f"organizations-{stamp}.xlsx",
                            content_type=exporting.CONTENT_TYPES["xlsx"])
    encoding = form.cleaned_data["encoding"]
    chunks, _report = exporting.organizations_export_csv(user=request.user, queryset=queryset,
                                                         encoding=encoding, viewer=viewer)
    charset = "Shift_JIS" if encoding == "cp932" else "utf-8"
    response = StreamingHttpResponse(chunks, content_type=f"text/csv; charset={charset}")
    suffix = "-sjis" if encoding == "cp932" else ""
    response["Content-Disposition"] = f'attachment; filename="organizations-{stamp}{suffix}.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("imports/", import_upload, name="import-upload"),
    path("imports/<int:pk>/", import_detail, name="import-detail"),
    path("export/", export, name="export"),
]
