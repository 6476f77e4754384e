"""Precision and recall of the search on the labelled set (monozukuri/search/tests/labelled.py).

Builds the labelled directory in a throw-away test database (never the one DATABASE_URL names), indexes
it, runs every labelled query through `organization_search` and prints precision and recall per class
of variant and overall.

    .venv/bin/python bench/search_quality.py                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monozukuri .venv/bin/python bench/search_quality.py

A query's true positives are the records it must return; false positives are records it must not return,
and, for queries whose whole result was checked by hand (exact), any record outside the must list.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monozukuri.settings")
os.environ.setdefault("TEST_DATABASE_NAME", "test_monozukuri_search_quality")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402


def main() -> int:
    setup_test_environment()
    config = setup_databases(verbosity=0, interactive=False)
    try:
        return evaluate()
    finally:
        from monozukuri.core.concurrency import close_side_connections

        close_side_connections()  # side reads' connections to the test database (core/concurrency.py)
        teardown_databases(config, verbosity=0)


def evaluate() -> int:
    from monozukuri.core.reference_data import municipalities_load
    from monozukuri.directory.indexing import organization_search, organizations_reindex
    from monozukuri.directory.models import Capability
    from monozukuri.directory.reference_data import capabilities_load, industry_divisions_load
    from monozukuri.search.tests.conftest import make_organization
    from monozukuri.search.tests.labelled import PROFILES, QUERIES

    municipalities_load()
    industry_divisions_load()
    capabilities_load()
    taxonomy = {c.slug: c for c in Capability.objects.all()}
    with scopes_disabled():
        orgs = {}
        for label, profile in PROFILES.items():
            values = dict(profile)
            values["capabilities"] = [taxonomy[s] for s in values.get("capabilities", [])]
            orgs[label] = make_organization(**values)
        organizations_reindex([o.pk for o in orgs.values()])
    by_pk = {o.pk: label for label, o in orgs.items()}
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    failures = []
    for case in QUERIES:
        result = organization_search(user=None, params={"q": case.query, "page_size": "100", **case.params})
        found = {by_pk[h.organization.pk] for h in result.hits}
        must, must_not = set(case.must), set(case.must_not)
        tp = len(found & must)
        fp = len(found & must_not) + (len(found - must) if case.exact else 0)
        fn = len(must - found)
        for key in (case.variant_class, "ALL"):
            totals[key][0] += tp
            totals[key][1] += fp
            totals[key][2] += fn
        if fp or fn:
            failures.append((case.query, sorted(must - found), sorted((found & must_not) | (
                found - must if case.exact else set()))))
    print(f"search quality on the labelled set ({connection.vendor}; "
          f"{len(PROFILES)} records, {len(QUERIES)} queries)")
    print(f"{'class':<32}{'precision':>10}{'recall':>9}")
    for key in sorted(totals, key=lambda k: (k == "ALL", k)):
        tp, fp, fn = totals[key]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"{key:<32}{precision:>10.3f}{recall:>9.3f}")
    for query, missing, unexpected in failures:
        print(f"  {query!r}: missing {missing}, unexpected {unexpected}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
