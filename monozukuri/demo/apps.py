from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "monozukuri.demo"
    label = "demo"
    verbose_name = "demo data"
