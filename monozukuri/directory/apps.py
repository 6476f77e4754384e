from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "monozukuri.directory"
    label = "directory"
    verbose_name = "directory"
