"""Pages of the search app: the directory search (with its htmx partial), and the dictionary.

The directory mounts the search page as its list (``directory:organization-list`` at /directory/); the
project mounts the dictionary at /directory/dictionary/ (``search:vocabulary-list`` and the rest).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from monozukuri.core.forms import add_service_errors
from monozukuri.directory.indexing import (
    FACETS,
    SEARCH_KEYS,
    SearchParams,
    organization_search,
    organization_search_params,
)
from monozukuri.search import services
from monozukuri.search.backends import get_backend
from monozukuri.search.forms import VocabularyEntryForm
from monozukuri.search.models import SearchIndexState, VocabularyEntry, VocabularyKind
from monozukuri.search.permissions import can_edit_vocabulary, can_rebuild_index
from monozukuri.search.vocabulary import live_rows

FACET_LABELS = {
    "municipality": gettext_lazy("自治体"),
    "kind": gettext_lazy("種別"),
    "jsic": gettext_lazy("業種（中分類）"),
    "capability": gettext_lazy("技術・製品分野"),
    "material": gettext_lazy("材料"),
    "certification": gettext_lazy("認証"),
    "employees": gettext_lazy("従業員数"),
    "sme_class": gettext_lazy("企業規模"),
}
SORT_LABELS = {
    "relevance": gettext_lazy("関連度順"),
    "name": gettext_lazy("名前順（五十音）"),
    "confirmed": gettext_lazy("確認日の新しい順"),
    "distance": gettext_lazy("近い順"),
}


def _query_string(
    params: QueryDict,
    *,
    drop: tuple[str, str] | None = None,
    add: tuple[str, str] | None = None,
    page: int | None = None,
) -> str:
    """The search's query string with one filter value removed or added, back to page 1 (or ``page``)."""
    items = [
        (k, v)
        for k in params
        for v in params.getlist(k)
        if k in SEARCH_KEYS and v != "" and k != "page" and (k, v) != ("sort", "relevance")
    ]
    if drop is not None:
        items = [(k, v) for k, v in items if (k, v) != drop]
    if add is not None and add not in items:
        items.append(add)
    if page and page > 1:
        items.append(("page", str(page)))
    return urlencode(items)


def _clean_query(raw: QueryDict) -> QueryDict:
    """The query without NUL characters (PostgreSQL refuses them in any string; no value means one), and
    with a page_size past the maximum lowered to it rather than refused (as the API does)."""
    from monozukuri.directory.indexing.params import MAX_PAGE_SIZE

    clean = QueryDict(mutable=True)
    for key, values in raw.lists():
        clean.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    size = clean.get("page_size", "")
    if size.isascii() and size.isdigit() and int(size) > MAX_PAGE_SIZE:
        clean["page_size"] = str(MAX_PAGE_SIZE)
    return clean


def organization_search_page(request: HttpRequest) -> HttpResponse:
    """The directory (its list page): the search answers as the user types (htmx swaps the results and
    the address bar follows, so the URL can be shared); links and the form work without JavaScript."""
    from monozukuri.directory import permissions as directory_permissions

    raw = _clean_query(request.GET)
    errors: dict[str, list[str]] = {}
    try:
        params = organization_search_params(raw)
    except ValidationError as exc:
        # Search with the rest; the links, the pushed URL and the export carry only what was searched.
        errors = exc.message_dict
        for key in errors:
            raw.pop(key, None)
        try:
            params = organization_search_params(raw)
        except ValidationError:
            params = SearchParams(q=str(raw.get("q", ""))[:2000])
    result = organization_search(user=request.user, params=params)
    points = get_backend().points([hit.organization.pk for hit in result.hits]) if result.hits else {}
    markers = [
        {
            "id": hit.organization.pk,
            "name": hit.organization.name,
            "url": hit.organization.get_absolute_url(),
            "lat": points[hit.organization.pk][0],
            "lon": points[hit.organization.pk][1],
        }
        for hit in result.hits
        if points.get(hit.organization.pk, (None, None))[0] is not None
    ]
    chips = [
        {
            "facet": facet,
            "label": FACET_LABELS.get(facet, facet),
            "value": value,
            "text": _chip_text(result, facet, value),
            "remove": _query_string(raw, drop=(facet, value)),
        }
        for facet, value in params.selected
    ]
    facets = [
        {
            "key": key,
            "label": FACET_LABELS[key],
            "values": [
                {"value": v, "add": _query_string(raw, add=(key, v.value))} for v in result.facets[key]
            ],
        }
        for key in FACETS
        if key in result.facets
    ]
    context: dict[str, Any] = {
        "result": result,
        "params": params,
        "errors": errors,
        "chips": chips,
        "facets": facets,
        "markers": markers,
        "tile_url": getattr(settings, "SEARCH_MAP_TILE_URL", ""),
        "tile_attribution": getattr(settings, "SEARCH_MAP_TILE_ATTRIBUTION", ""),
        "sorts": list(SORT_LABELS.items()),
        "query": raw,
        "first_number": (params.page - 1) * params.page_size + 1,
        "previous_page": _query_string(raw, page=params.page - 1) if params.page > 1 else None,
        "next_page": _query_string(raw, page=params.page + 1) if params.page < result.pages else None,
        "municipality_choices": _municipality_choices(),
        "kind_choices": _kind_choices(),
        "selected": {
            facet: [v for f, v in params.selected if f == facet] for facet in ("municipality", "kind")
        },
        "hidden": [(f, v) for f, v in params.selected if f not in ("municipality", "kind")]
        + [(k, raw[k]) for k in ("near", "near_org", "employees_min", "employees_max", "page_size")
           if raw.get(k) and k not in errors],
        "can_create": directory_permissions.can_create_organization(request.user),
        # The export runs the same search (text, filters, distance), so it holds what the page shows.
        "export_query": urlencode(
            [(k, v) for k in SEARCH_KEYS if k not in ("page", "page_size")
             for v in raw.getlist(k) if v and k not in errors]
        ),
    }
    if getattr(request, "htmx", False):
        response = render(request, "search/partials/organization_results.html", context)
        # The address bar shows the search without the form's empty fields, so it can be shared as is.
        canonical = _query_string(raw, page=params.page)
        response["HX-Push-Url"] = request.path + (f"?{canonical}" if canonical else "")
        return response
    return render(request, "search/organization_search.html", context)


def _chip_text(result: Any, facet: str, value: str) -> str:
    for facet_value in result.facets.get(facet, []):
        if facet_value.value == value:
            return str(facet_value.label)
    return value


def _municipality_choices() -> list[tuple[str, str]]:
    from monozukuri.core.selectors import municipality_list

    return [(m.code, m.display_name) for m in municipality_list() if m.kind != "prefecture"]


def _kind_choices() -> list[tuple[str, str]]:
    from monozukuri.directory.models import OrganizationKind

    return [(str(value), str(label)) for value, label in OrganizationKind.choices]


# --- the dictionary -----------------------------------------------------------------------------------


def _require_editor(request: HttpRequest) -> None:
    if not can_edit_vocabulary(request.user):
        raise PermissionDenied


@login_required
def vocabulary_list(request: HttpRequest) -> HttpResponse:
    """The search dictionary: every row, a form to add one, the index's state and the reindex button."""
    _require_editor(request)
    form = VocabularyEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.vocabulary_entry_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("「%(entry)s」を追加しました。検索に反映するには索引を作り直してください。")
                % {"entry": entry},
            )
            return redirect("search:vocabulary-list")
    entries = VocabularyEntry.objects.select_related("updated_by")
    kind = request.GET.get("kind", "")
    if kind in VocabularyKind.values:
        entries = entries.filter(kind=kind)
    text = request.GET.get("q", "").strip()
    if text:
        from monozukuri.search.analysis import normalize

        entries = entries.filter(term_key__contains=normalize(text)) | entries.filter(target__icontains=text)
    state = SearchIndexState.objects.filter(pk=1).first()
    indexed = sorted(tuple(r) for r in (state.vocabulary if state else []))
    live = sorted(tuple(r) for r in live_rows())
    return render(
        request,
        "search/vocabulary_list.html",
        {
            "form": form,
            "entries": entries.order_by("kind", "term_key", "id")[:2000],
            "state": state,
            "stale": indexed != live,
            "kind": kind,
            "q": text,
            "kinds": VocabularyKind.choices,
            "can_rebuild": can_rebuild_index(request.user),
        },
    )


@login_required
def vocabulary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    entry = get_object_or_404(VocabularyEntry, pk=pk)
    form = VocabularyEntryForm(
        request.POST or None,
        initial={
            "kind": entry.kind,
            "term": entry.term,
            "target": entry.target,
            "note": entry.note,
            "active": entry.active,
        },
        with_active=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.vocabulary_entry_update(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("「%(entry)s」を更新しました。検索に反映するには索引を作り直してください。")
                % {"entry": entry},
            )
            return redirect("search:vocabulary-list")
    return render(request, "search/vocabulary_form.html", {"form": form, "entry": entry})


@login_required
@require_POST
def vocabulary_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    entry = get_object_or_404(VocabularyEntry, pk=pk)
    services.vocabulary_entry_deactivate(actor=request.user, entry=entry)
    messages.success(request, _("「%(entry)s」を無効にしました。") % {"entry": entry})
    return redirect("search:vocabulary-list")


@login_required
@require_POST
def index_rebuild(request: HttpRequest) -> HttpResponse:
    """Enqueue a full rebuild with the current dictionary (a background task)."""
    if not can_rebuild_index(request.user):
        raise PermissionDenied
    from monozukuri.search.tasks import search_index_rebuild

    search_index_rebuild.enqueue()
    messages.success(request, _("索引の作り直しを始めました。終わると新しい辞書で検索できます。"))
    return redirect("search:vocabulary-list")
