"""The search dictionary (mounted by the project at /directory/dictionary/).

The directory search page itself is the directory's list (``directory:organization-list``)."""

from django.urls import path

from monozukuri.search import views

app_name = "search"

urlpatterns = [
    path("", views.vocabulary_list, name="vocabulary-list"),
    path("<int:pk>/edit/", views.vocabulary_edit, name="vocabulary-edit"),
    path("<int:pk>/deactivate/", views.vocabulary_deactivate, name="vocabulary-deactivate"),
    path("reindex/", views.index_rebuild, name="index-rebuild"),
]
