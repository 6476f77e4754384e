"""Matching pages (/matching/...)."""

from django.urls import path

from monozukuri.matching.views import introductions, office, requests

app_name = "matching"

urlpatterns = [
    path("", office.home, name="home"),
    path("requests/", requests.request_list, name="request-list"),
    path("requests/export.csv", requests.request_export, name="request-export"),
    path("requests/new/", requests.request_create, name="request-create"),
    path("requests/preview/", requests.request_preview, name="request-preview"),
    path("requests/<int:pk>/", requests.request_detail, name="request-detail"),
    path("requests/<int:pk>/edit/", requests.request_edit, name="request-edit"),
    path("requests/<int:pk>/review/", office.request_review, name="request-review"),
    path("requests/<int:pk>/candidates/", requests.request_candidates, name="request-candidates"),
    path("requests/<int:pk>/introductions/new/", requests.request_propose, name="request-propose"),
    path("requests/<int:pk>/interest/", requests.request_interest, name="request-interest"),
    path("requests/<int:pk>/attachments/", requests.attachment_add, name="attachment-add"),
    path(
        "requests/<int:pk>/attachments/<int:attachment_pk>/",
        requests.attachment_download,
        name="attachment-download",
    ),
    path(
        "requests/<int:pk>/attachments/<int:attachment_pk>/remove/",
        requests.attachment_remove,
        name="attachment-remove",
    ),
    path("requests/<int:pk>/<str:verb>/", requests.request_transition, name="request-transition"),
    path("board/", office.board, name="board"),
    path("introductions/", introductions.introduction_list, name="introduction-list"),
    path("introductions/<int:pk>/", introductions.introduction_detail, name="introduction-detail"),
    path("introductions/<int:pk>/<str:verb>/", introductions.introduction_step, name="introduction-step"),
    path("advisers/", office.adviser_list, name="adviser-list"),
    path("advisers/new/", office.adviser_form, name="adviser-create"),
    path("advisers/<int:pk>/", office.adviser_detail, name="adviser-detail"),
    path("advisers/<int:pk>/edit/", office.adviser_form, name="adviser-edit"),
    path("weights/", office.weights, name="weights"),
    path("settings/", office.preference, name="settings"),
    path("measures/<int:pk>/", office.measure_outcomes, name="measure-outcomes"),
]
