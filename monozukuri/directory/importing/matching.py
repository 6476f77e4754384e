"""Finding the record a row is about, and the records a new one may duplicate: a few queries per batch.

- A row with a 法人番号 is about the record with that number (the upsert key).
- A row without one (a sole proprietor in a staff spreadsheet) is about the record whose id it gives
  (the export's ID column) when that record has the same normalised name or the same normalised
  address — so a name or an address corrected in the spreadsheet updates the record instead of adding
  one, while an ID from another installation does not hit an unrelated record. Otherwise it is about
  the record with the same normalised name and address (the oldest, if several).
- A record merged into another (by the merge tool) passes its rows on to the one it was merged into.
- A new record whose normalised name and address, phone, or website match an existing record (or an
  earlier new record of the same file) gets a DuplicateFlag for staff to merge or dismiss. The rules are
  those of services/duplicates.py (an address must reach the town or street, a phone key has at least
  9 digits), applied per batch on the indexed keys only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django_scopes import scopes_disabled

from monozukuri.core.queries import ids_in
from monozukuri.directory.importing.bulk import column_of
from monozukuri.directory.importing.parsers import ParsedRow
from monozukuri.directory.models import DuplicateFlag, Organization, OrganizationCapability

FETCHED_FIELDS: tuple[str, ...] = (
    "id", "merged_into_id", "corporate_number", "name", "kana", "name_en", "kind", "status", "closed_on",
    "postcode", "prefecture", "city", "town", "street", "municipality_id", "latitude", "longitude",
    "industry_id", "jsic_detail", "capital", "employees", "founded_on", "founded_year", "website", "phone",
    "email", "representative", "representative_title", "summary", "products", "staff_notes",
    "name_normalized", "address_normalized", "phone_normalized", "sme_class", "sme_rule",
)
LIGHT_FIELDS: tuple[str, ...] = ("id", "merged_into_id", "corporate_number", "name_normalized",
                                 "address_normalized", "phone_normalized", "municipality_id")
MAX_MERGE_HOPS = 5
REASON_NAME_ADDRESS, REASON_PHONE, REASON_WEBSITE = "name_address", "phone", "website"
MIN_PHONE_DIGITS = 9  # as services/duplicates.py: shorter keys are fragments, not numbers
LINKS_KEY = "_stored_capabilities"  # a found record's capability ids as the database holds them


def _has_field(name: str) -> bool:
    return any(f.name == name for f in Organization._meta.concrete_fields)


# Indexed website key (added in migration 0002); without it the website is not compared on import.
WEBSITE_KEY = "website_normalized" if _has_field("website_normalized") else None
if WEBSITE_KEY:
    FETCHED_FIELDS = (*FETCHED_FIELDS, WEBSITE_KEY)
    LIGHT_FIELDS = (*LIGHT_FIELDS, WEBSITE_KEY)


def chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """Slices small enough for one IN (...) on this database (SQLite allows 999 parameters)."""
    size = min(connection.features.max_query_params or 5_000, 5_000) - 10
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _select(fields: Sequence[str], lookup: str, values: Iterable[Any]) -> list[dict[str, Any]]:
    """Organisations whose `lookup` field is one of `values`, as dicts of `fields`.

    Plain SQL: the ORM's IN lookup prepares each of thousands of values one by one, which costs more
    than the query itself at this volume. PostgreSQL gets one array parameter (`= ANY(%s)`), SQLite
    IN lists within its parameter limit. The drivers return dates, numbers and text as Python values.
    """
    wanted = sorted(set(values))
    if not wanted:
        return []
    quote = connection.ops.quote_name
    meta = Organization._meta
    columns = ", ".join(quote(column_of(Organization, f)) for f in fields)
    where = quote(column_of(Organization, lookup))
    select = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where}"
    found: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array literal: psycopg would otherwise adapt thousands of list items one by one.
            # Always by the index: while an import fills a table that has no statistics yet (a first
            # import), the planner takes each of thousands of values to match 0.5% of the rows and
            # scans the whole table instead — once per batch, so the import slowed as the table grew
            # (docs/benchmarks-import.md). One round trip: the setting, the probe, the setting back.
            cast = "bigint[]" if isinstance(wanted[0], int) else "text[]"
            cursor.execute(f"SET LOCAL enable_seqscan = off; {select} = ANY(%s::{cast}); "
                           "RESET enable_seqscan", [_array_literal(wanted)])
            raw = cursor.cursor  # psycopg's: one result per statement; the probe's is the one with rows
            while raw.description is None and raw.nextset():
                pass
            found.extend(dict(zip(fields, row, strict=True)) for row in raw.fetchall())
            return found
        for chunk in chunks(wanted):
            cursor.execute(f"{select} IN ({', '.join(['%s'] * len(chunk))})", list(chunk))
            found.extend(dict(zip(fields, row, strict=True)) for row in cursor.fetchall())
    return found


def _array_literal(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal: {1,2,3} or {"a","b"} with quotes and backslashes escaped."""
    if isinstance(values[0], int):
        return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _full(lookup: str, values: Iterable[Any]) -> list[dict[str, Any]]:
    return _select(FETCHED_FIELDS, lookup, values)


def _light(lookup: str, values: Iterable[Any]) -> list[dict[str, Any]]:
    return _select(LIGHT_FIELDS, lookup, values)


def _place_key(record: dict[str, Any]) -> tuple[str, str] | None:
    """Name and address, when the address reaches the town or the street (a city alone is too weak)."""
    if record["name_normalized"] and record["address_normalized"] \
            and (record.get("town") or record.get("street")):
        return record["name_normalized"], record["address_normalized"]
    return None


def _phone_key(record: dict[str, Any]) -> str:
    key = record.get("phone_normalized") or ""
    return key if len(key) >= MIN_PHONE_DIGITS else ""


def _website_key(record: dict[str, Any]) -> str:
    key = record.get(WEBSITE_KEY) or "" if WEBSITE_KEY else ""
    return key if "." in key else ""


@dataclass
class Lookup:
    """The existing records a batch of rows may be about or may duplicate."""

    by_number: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_id: dict[int, dict[str, Any]] = field(default_factory=dict)
    by_place: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    by_phone: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    by_website: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    followed_lines: set[int] = field(default_factory=set)

    @classmethod
    def for_batch(cls, rows: Sequence[ParsedRow]) -> Lookup:
        lookup = cls()
        numbers = [r.values["corporate_number"] for r in rows if r.values.get("corporate_number")]
        for record in _full("corporate_number", numbers):
            lookup.by_number[record["corporate_number"]] = record
            lookup.by_id[record["id"]] = record
        # Rows that may become new records (or are matched by name and address).
        maybe_new = [r for r in rows if r.values.get("corporate_number") not in lookup.by_number]
        if not maybe_new:
            lookup._follow_merges()
            lookup._links_if_given(rows)
            return lookup
        for record in _light("name_normalized", [r.record["name_normalized"] for r in maybe_new]):
            lookup.by_place[(record["name_normalized"], record["address_normalized"])].append(record)
        for record in _light("phone_normalized", [k for r in maybe_new if (k := _phone_key(r.record))]):
            lookup.by_phone[record["phone_normalized"]].append(record)
        if WEBSITE_KEY:
            for record in _light(WEBSITE_KEY, [k for r in maybe_new if (k := _website_key(r.record))]):
                lookup.by_website[record[WEBSITE_KEY]].append(record)
        unkeyed = [r for r in maybe_new if not r.values.get("corporate_number")]
        wanted = {c["id"] for r in unkeyed for c in lookup.by_place.get(_place(r), [])}
        wanted |= {r.record_id for r in unkeyed if r.record_id}
        for record in _full("id", wanted - set(lookup.by_id)):
            lookup.by_id[record["id"]] = record
        lookup._follow_merges()
        lookup._links_if_given(rows)
        return lookup

    def _links_if_given(self, rows: Sequence[ParsedRow]) -> None:
        """When the batch gives capabilities, each found record's capability ids as stored (LINKS_KEY,
        what the writer compares and replaces) and as its current value of `capabilities`."""
        if not any("capabilities" in r.values for r in rows) or not self.by_id:
            return
        stored: dict[int, list[int]] = defaultdict(list)
        with scopes_disabled():
            links = OrganizationCapability.objects.filter(ids_in("organization_id", list(self.by_id)))
            for org_id, capability_id in links.values_list("organization_id", "capability_id"):
                stored[org_id].append(capability_id)
        for org_id, record in self.by_id.items():
            record[LINKS_KEY] = record["capabilities"] = tuple(sorted(stored.get(org_id, ())))

    def _follow_merges(self) -> None:
        for _ in range(MAX_MERGE_HOPS):
            targets = {r["merged_into_id"] for r in self.by_id.values() if r["merged_into_id"]}
            missing = targets - set(self.by_id)
            if not missing:
                return
            for record in _full("id", missing):
                self.by_id[record["id"]] = record

    def _resolve(self, record: dict[str, Any], line: int) -> dict[str, Any]:
        hops = 0
        while record["merged_into_id"] and record["merged_into_id"] in self.by_id and hops < MAX_MERGE_HOPS:
            record = self.by_id[record["merged_into_id"]]
            hops += 1
        if hops:
            self.followed_lines.add(line)
        return record

    def existing(self, row: ParsedRow) -> dict[str, Any] | None:
        """The existing record this row is about, if any."""
        number = row.values.get("corporate_number")
        if number:
            record = self.by_number.get(number)
            return self._resolve(record, row.line) if record is not None else None
        by_id = self.by_id.get(row.record_id) if row.record_id else None
        name, address = _place(row)
        if by_id is not None and (by_id["name_normalized"] == name or by_id["address_normalized"] == address):
            return self._resolve(by_id, row.line)
        candidates = [self.by_id[c["id"]] for c in self.by_place.get((name, address), [])
                      if c["id"] in self.by_id]
        if not candidates:
            return None
        chosen = min(candidates, key=lambda c: (c["merged_into_id"] is not None, c["id"]))
        return self._resolve(chosen, row.line)

    def followed(self, row: ParsedRow) -> bool:
        """Whether the row's record was merged into another (the row applies to that one)."""
        return row.line in self.followed_lines

    def duplicate_flags(self, created: Sequence[dict[str, Any]], fallback_municipality_id: int | None
                        ) -> list[DuplicateFlag]:
        """Flags for new records that look like existing ones (or like each other)."""
        flags: list[DuplicateFlag] = []
        earlier: dict[str, dict[Any, dict[str, Any]]] = {REASON_NAME_ADDRESS: {}, REASON_PHONE: {},
                                                         REASON_WEBSITE: {}}
        for record in created:
            pairs: dict[int, tuple[str, Any]] = {}
            keys: tuple[tuple[str, Any, dict[Any, list[dict[str, Any]]]], ...] = (
                    (REASON_NAME_ADDRESS, _place_key(record), self.by_place),
                    (REASON_PHONE, _phone_key(record), self.by_phone),
                    (REASON_WEBSITE, _website_key(record), self.by_website))
            for reason, key, existing in keys:
                if not key:
                    continue
                for other in existing.get(key, []):
                    if not other["merged_into_id"]:
                        pairs.setdefault(other["id"], (reason, other.get("municipality_id")))
                first = earlier[reason].setdefault(key, record)
                if first is not record:
                    pairs.setdefault(first["id"], (reason, first.get("municipality_id")))
            for other_id, (reason, other_municipality_id) in pairs.items():
                if other_id != record["id"]:
                    flags.append(DuplicateFlag(
                        municipality_id=(record.get("municipality_id") or other_municipality_id
                                         or fallback_municipality_id),
                        organization_id=record["id"], duplicate_of_id=other_id, reason=reason))
        return flags


def _place(row: ParsedRow) -> tuple[str, str]:
    return row.record["name_normalized"], row.record["address_normalized"]


def save_flags(flags: list[DuplicateFlag]) -> int:
    if not flags:
        return 0
    with scopes_disabled():
        DuplicateFlag.objects.bulk_create(flags, ignore_conflicts=True)
    return len(flags)
