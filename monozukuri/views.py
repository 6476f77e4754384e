"""The home page and the health check: the only views above the apps."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from monozukuri.plans.selectors import plan_list_published


def home(request: HttpRequest) -> HttpResponse:
    """The public home page: what the platform is and the approved plans."""
    return render(request, "home.html", {"plans": plan_list_published()})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for operators and CI."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
