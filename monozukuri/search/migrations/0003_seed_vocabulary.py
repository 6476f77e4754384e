"""Seed the staff-editable dictionary from data/vocabulary_seed.tsv and record it as the index's."""

from django.db import migrations


def forwards(apps, schema_editor):
    from monozukuri.search.analysis import normalize, parse_vocabulary_tsv
    from monozukuri.search.vocabulary import seed_rows

    VocabularyEntry = apps.get_model("search", "VocabularyEntry")
    SearchIndexState = apps.get_model("search", "SearchIndexState")
    rows = seed_rows()
    VocabularyEntry.objects.bulk_create(
        [VocabularyEntry(kind=r.kind, term=r.term, target=r.target, note=r.note, term_key=normalize(r.term))
         for r in rows]
    )
    SearchIndexState.objects.update_or_create(
        pk=1, defaults={"vocabulary": [[r.kind, r.term, r.target] for r in rows], "vocabulary_version": 1}
    )


def backwards(apps, schema_editor):
    apps.get_model("search", "VocabularyEntry").objects.all().delete()
    apps.get_model("search", "SearchIndexState").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [("search", "0002_fulltext_index")]

    operations = [migrations.RunPython(forwards, backwards)]
