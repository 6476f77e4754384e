from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "monozukuri.core"
    label = "core"
    verbose_name = "core"
