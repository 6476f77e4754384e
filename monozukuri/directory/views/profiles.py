"""Directory pages: profiles."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
