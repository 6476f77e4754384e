"""Search pages (mounted by the project, e.g. at /search/)."""

from django.urls import path

from monozukuri.search import views

app_name = "search"

urlpatterns = [
    path("", views.organization_search_page, name="organization-search"),
    path("api/", views.organization_search_json_view, name="organization-search-json"),
    path("dictionary/", views.vocabulary_list, name="vocabulary-list"),
    path("dictionary/<int:pk>/edit/", views.vocabulary_edit, name="vocabulary-edit"),
    path("dictionary/<int:pk>/deactivate/", views.vocabulary_deactivate, name="vocabulary-deactivate"),
    path("dictionary/reindex/", views.index_rebuild, name="index-rebuild"),
]
