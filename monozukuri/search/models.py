"""The search index and its dictionary.

* ``VocabularyEntry`` — the staff-editable domain dictionary (variants and one-way synonyms), seeded from
  ``data/vocabulary_seed.tsv``. Edits take effect when the index is rebuilt.
* ``SearchIndexState`` — one row: the dictionary the current index was built with (queries must be
  analysed with the same one), its version, and the progress of a running rebuild.
* ``SearchDocument`` — one row per indexed record (an organisation): facet tokens, sort keys and
  coordinates; ``SearchTokens`` its analysed text (SQLite only). The full-text index over it is
  engine-specific and made by the migrations: an FTS5 table ``search_fts`` on SQLite, a ``tsv tsvector``
  column with a GIN index on PostgreSQL (see backends/ and docs/decisions/0006-search-index-and-ranking.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VocabularyKind(models.TextChoices):
    VARIANT = "variant", _("表記ゆれ（双方向）")  # term is another spelling of target
    SYNONYM = "synonym", _("同義語（一方向）")  # a document with term is also found by target


class VocabularyEntry(models.Model):
    """One dictionary row: ``kind``, ``term`` → ``target``, with a note saying why."""

    kind = models.CharField(_("種類"), max_length=10, choices=VocabularyKind.choices)
    term = models.CharField(_("語"), max_length=100)
    target = models.CharField(_("置き換え先・同義語"), max_length=100)
    note = models.CharField(_("メモ"), max_length=300, blank=True)
    active = models.BooleanField(_("有効"), default=True)
    term_key = models.CharField(max_length=200, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "term_key", "target", "id"]
        verbose_name = _("検索辞書の語")
        verbose_name_plural = _("検索辞書")
        constraints = [
            # A spelling has one canonical form: two active variant rows may not share a term.
            models.UniqueConstraint(
                fields=["term_key"],
                condition=models.Q(kind="variant", active=True),
                name="search_vocabulary_one_variant_per_term",
            ),
        ]

    def __str__(self) -> str:
        arrow = "→" if self.kind == VocabularyKind.VARIANT else "⇒"
        return f"{self.term} {arrow} {self.target}"


class SearchIndexState(models.Model):
    """The state of the index (a single row, pk=1)."""

    vocabulary = models.JSONField(default=list, blank=True)  # rows [kind, term, target] used by the index
    vocabulary_version = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    documents = models.PositiveIntegerField(default=0)
    rebuild_started_at = models.DateTimeField(null=True, blank=True)
    rebuild_done = models.PositiveIntegerField(default=0)
    rebuild_total = models.PositiveIntegerField(default=0)
    rebuild_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"search index v{self.vocabulary_version} ({self.documents} documents)"


class SearchPending(models.Model):
    """An object reindexed while a full rebuild was running; the rebuild replays it after the swap."""

    object_id = models.BigIntegerField(db_index=True)
    deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"pending {self.object_id}"


class RowIdField(models.BigIntegerField):
    """A 64-bit integer primary key that is SQLite's row id (``integer primary key``), so the full-text
    table joins to it with one b-tree lookup; ``bigint`` elsewhere."""

    def db_type(self, connection: Any) -> str | None:
        return "integer" if connection.vendor == "sqlite" else super().db_type(connection)


class SearchDocument(models.Model):
    """One indexed record. Written only by the backends (raw SQL); read through them too.

    ``doc_key`` is ``rank << 32 | object_id``: the full-text row id, so that walking the text index in
    row-id order walks the matches best-first by the static rank, with no sort.
    """

    doc_key = RowIdField(primary_key=True)
    object_id = models.BigIntegerField(unique=True)
    rank = models.PositiveIntegerField(default=0)
    sort_name = models.CharField(max_length=300, default="")
    confirmed_key = models.IntegerField(
        default=0
    )  # days since 2000-01-01 of the last confirmation, 0 = never
    employees = models.PositiveIntegerField(null=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    facets = models.TextField(default="")  # facet tokens, counted for the facet panel
    extra = models.TextField(default="")  # match-only tokens: all-documents, sample levels, grid cells

    class Meta:
        db_table = "search_document"
        indexes = [
            models.Index(fields=["sort_name", "object_id"], name="search_doc_sort_name"),
            models.Index(fields=["-confirmed_key", "object_id"], name="search_doc_confirmed"),
        ]

    def __str__(self) -> str:
        return f"document {self.object_id}"


class SearchTokens(models.Model):
    """The analysed text of a document, on SQLite only: its FTS5 table is contentless and deleting a row
    needs the tokens it was inserted with. Compressed (zlib) and kept out of SearchDocument, so the rows
    the planner reads (facets, sort keys) stay small and many fit on a page."""

    doc_key = RowIdField(primary_key=True)
    data = models.BinaryField()

    class Meta:
        db_table = "search_tokens"

    def __str__(self) -> str:
        return f"tokens {self.doc_key}"
