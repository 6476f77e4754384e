"""Directory pages (/directory/...): each area's module contributes its own routes."""

from monozukuri.directory.views import duplicates, freshness, imports, profiles

app_name = "directory"

urlpatterns = [*profiles.urlpatterns, *imports.urlpatterns, *freshness.urlpatterns, *duplicates.urlpatterns]
