"""The audit trail: what `audit.record` stores, that rows are append-only, and `history_for`."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from monozukuri.core import audit
from monozukuri.core.models import AuditEvent, Municipality
from monozukuri.core.tests.factories import AuditEventFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db


def test_record_stores_actor_action_target_and_changes(sumida_staff, sumida):
    event = audit.record(actor=sumida_staff, action="core.municipality_rename", target=sumida,
                         changes={"name": ["墨田", "墨田区"]})

    event.refresh_from_db()
    assert event.actor == sumida_staff
    assert event.actor_label == "staff@sumida.example.jp"
    assert event.action == "core.municipality_rename"
    assert event.target_type == ContentType.objects.get_for_model(Municipality)
    assert event.target_id == str(sumida.pk)
    assert event.target_label == "墨田区"
    assert event.changes == {"name": ["墨田", "墨田区"]}
    assert event.created_at is not None


def test_record_roots_the_event_at_the_target_by_default(sumida_staff, sumida):
    event = audit.record(actor=sumida_staff, action="core.test", target=sumida)

    assert (event.root_type, event.root_id) == (event.target_type, event.target_id)


def test_record_roots_the_event_at_the_given_record(sumida_staff, sumida, arakawa):
    event = audit.record(actor=sumida_staff, action="core.test", target=arakawa, root=sumida)

    assert event.target_id == str(arakawa.pk)
    assert event.root_type == ContentType.objects.get_for_model(Municipality)
    assert event.root_id == str(sumida.pk)
    assert event in audit.history_for(sumida)
    assert event not in audit.history_for(arakawa)


@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_record_without_a_signed_in_actor_is_by_the_system(actor, sumida):
    event = audit.record(actor=actor, action="core.test", target=sumida)

    assert event.actor is None
    assert event.actor_label == "system"


def test_record_turns_decimals_and_dates_into_json(sumida):
    event = audit.record(actor=None, action="core.test", target=sumida, changes={
        "value": [Decimal("1.50"), Decimal("2.00")],
        "approval_date": [None, datetime.date(2019, 5, 1)],
    })

    event.refresh_from_db()
    assert event.changes == {"value": ["1.50", "2.00"], "approval_date": [None, "2019-05-01"]}


def test_record_without_a_target(db):
    event = audit.record(actor=None, action="core.reference_load")

    assert (event.target_type, event.target_id, event.target_label) == (None, "", "")


def test_saving_an_existing_event_is_refused():
    event = AuditEventFactory(action="core.original")
    event.action = "core.rewritten"

    with pytest.raises(PermissionDenied):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).action == "core.original"


def test_deleting_an_event_is_refused():
    event = AuditEventFactory()

    with pytest.raises(PermissionDenied):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_updating_events_through_a_queryset_is_refused():
    AuditEventFactory.create_batch(2, action="core.original")

    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(action="core.original").update(action="core.rewritten")

    assert AuditEvent.objects.filter(action="core.original").count() == 2


def test_deleting_events_through_a_queryset_is_refused():
    AuditEventFactory.create_batch(2)

    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.count() == 2


def test_history_for_lists_the_events_of_one_record_newest_first(sumida):
    other = MunicipalityFactory()
    first = audit.record(actor=None, action="core.first", target=sumida)
    audit.record(actor=None, action="core.elsewhere", target=other)
    second = audit.record(actor=None, action="core.second", target=sumida)

    assert list(audit.history_for(sumida)) == [second, first]


def test_snapshot_reads_the_named_fields():
    municipality = Municipality(code="131075", name="墨田区")

    assert audit.snapshot(municipality, ["code", "name"]) == {"code": "131075", "name": "墨田区"}


@pytest.mark.parametrize(
    ("before", "after", "changes"),
    [
        ({"a": 1, "b": "x"}, {"a": 1, "b": "x"}, {}),
        ({"a": 1, "b": "x"}, {"a": 2, "b": "x"}, {"a": [1, 2]}),
        ({}, {"a": "new"}, {"a": [None, "new"]}),
        ({"a": "old"}, {}, {"a": ["old", None]}),
    ],
    ids=["unchanged", "one-field", "added", "removed"],
)
def test_changes_between_lists_only_what_differs(before, after, changes):
    assert audit.changes_between(before, after) == changes
