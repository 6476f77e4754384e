from django.urls import path

from monozukuri.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("new/", views.plan_create, name="plan-create"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/pillars/new/", views.pillar_create, name="pillar-create"),
    path("<int:pk>/<str:verb>/", views.plan_transition, name="plan-transition"),
    path("pillars/<int:pk>/measures/new/", views.measure_create, name="measure-create"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("measures/<int:pk>/kpis/new/", views.kpi_create, name="kpi-create"),
    path("measures/<int:pk>/budget/", views.budget_edit, name="budget-edit"),
    path("kpis/<int:pk>/edit/", views.kpi_edit, name="kpi-edit"),
]
