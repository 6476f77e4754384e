"""Page routes (Japanese at /, English under /en/) and the API under /api/v1/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from monozukuri import views

urlpatterns = [
    path("api/v1/", include(("monozukuri.api", "api"), namespace="api")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
]
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("accounts/", include("monozukuri.accounts.urls")),
    path("plans/", include("monozukuri.plans.urls")),
    # The directory's list page is the search; staff keep the search dictionary next to it.
    path("directory/dictionary/", include("monozukuri.search.urls")),
    path("directory/", include("monozukuri.directory.urls")),
    path("matching/", include("monozukuri.matching.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
