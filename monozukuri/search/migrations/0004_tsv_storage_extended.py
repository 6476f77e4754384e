"""PostgreSQL: keep the tsvector out of the heap row (see backends/schema.set_postgres_tsv_storage).

Only the column's storage setting changes; existing rows move on their next write or the next full
rebuild (``manage.py rebuild_search_index``). SQLite: nothing to do.
"""

from django.db import migrations

from monozukuri.search.backends.schema import DOCUMENT_TABLE, set_postgres_tsv_storage


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            set_postgres_tsv_storage(cursor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {DOCUMENT_TABLE} ALTER COLUMN tsv SET STORAGE MAIN")


class Migration(migrations.Migration):

    dependencies = [("search", "0003_seed_vocabulary")]

    operations = [migrations.RunPython(forwards, backwards)]
