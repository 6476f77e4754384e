"""The /api/v1/ router: collects each app's API."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from monozukuri.core.api.municipalities import MunicipalityViewSet
from monozukuri.directory.api.organizations import OrganizationViewSet
from monozukuri.matching.api import IntroductionViewSet, PartnerRequestViewSet
from monozukuri.plans.api import PlanViewSet

router = DefaultRouter()
router.register("municipalities", MunicipalityViewSet, basename="municipality")
router.register("plans", PlanViewSet, basename="plan")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("requests", PartnerRequestViewSet, basename="partner-request")
router.register("introductions", IntroductionViewSet, basename="introduction")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
