from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "monozukuri.accounts"
    label = "accounts"
    verbose_name = "accounts"
