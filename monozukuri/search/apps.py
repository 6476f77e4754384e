from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _prepare_sqlite_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        from monozukuri.search.backends.sqlite import prepare_connection

        prepare_connection(connection.connection)


def _after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After migrate and after a flush (which Django follows with post_migrate): the full-text table,
    which is not a model and so not flushed, is emptied when the documents are gone; the dictionary's
    seed and the index state are put back when they are missing."""
    from monozukuri.search.maintenance import index_consistency_ensure

    index_consistency_ensure(using=using)


class SearchConfig(AppConfig):
    name = "monozukuri.search"
    label = "search"
    verbose_name = "search"

    def ready(self) -> None:
        connection_created.connect(
            _prepare_sqlite_connection, dispatch_uid="monozukuri.search.sqlite_connection"
        )
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="monozukuri.search.after_migrate")
