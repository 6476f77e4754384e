from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "monozukuri.plans"
    label = "plans"
    verbose_name = "plans"
