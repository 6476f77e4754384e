"""The engine-specific full-text index over search_document (see backends/ and docs/decisions/0006).

SQLite: a contentless FTS5 table whose row id is search_document.doc_key; the table stores only the
inverted index, so deleting a row needs its old tokens, which search_document keeps.
PostgreSQL: a tsvector column filled by the backend from the same tokens (weights A name, B tags,
D body and facets), with a GIN index. No extension is needed.
"""

from django.db import migrations

from monozukuri.search.backends.schema import create_fulltext, drop_fulltext


def forwards(apps, schema_editor):
    create_fulltext(schema_editor.connection)


def backwards(apps, schema_editor):
    drop_fulltext(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
