"""The index backends: one per database engine, behind the same operations (base.Backend)."""

from __future__ import annotations

from django.db import connection

from monozukuri.search.backends.base import Backend


def get_backend() -> Backend:
    """The backend of the default database."""
    if connection.vendor == "sqlite":
        from monozukuri.search.backends.sqlite import SqliteBackend

        return SqliteBackend()
    if connection.vendor == "postgresql":
        from monozukuri.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    raise NotImplementedError(f"search: no backend for {connection.vendor}")  # pragma: no cover
