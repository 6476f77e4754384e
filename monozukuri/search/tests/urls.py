"""The project's URLs with the search app mounted at /search/ (until the project mounts it itself)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from monozukuri.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    *i18n_patterns(path("search/", include("monozukuri.search.urls")), prefix_default_language=False),
]
