"""Search benchmarks: corpus, index build, query latency, icontains ratio, substring count check.

Run against the database named by DATABASE_URL (a scratch database: `load` writes a corpus into it).

    DATABASE_URL=sqlite:///var/bench/search-100k.sqlite3 .venv/bin/python bench/bench_search.py load 100000
    DATABASE_URL=... .venv/bin/python bench/bench_search.py build [--jobs 2]
    DATABASE_URL=... .venv/bin/python bench/bench_search.py queries [--repeat 5] [--icontains]
    DATABASE_URL=... .venv/bin/python bench/bench_search.py check [--terms 200]
    DATABASE_URL=... .venv/bin/python bench/bench_search.py api [--repeat 3]

`load` runs `manage.py seed_demo --organizations N --seed S` (monozukuri/demo/organizations.py). Every
phase prints a table and appends a JSON line to var/bench/search-results.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monozukuri.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from bench.search_mix import QUERY_MIX, query_requests  # noqa: E402

RESULTS = ROOT / "var" / "bench" / "search-results.jsonl"


def _record(kind: str, data: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    line = {"kind": kind, "vendor": connection.vendor, "at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "load": os.getloadavg(), **data}
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")


def _organizations() -> int:
    from monozukuri.directory.models import Organization

    return Organization.objects.count()


class PeakMemory:
    """Peak resident memory of this process and its children (the analysis workers), sampled."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        total = 0
        pids = [os.getpid()]
        try:
            children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
            pids += [int(p) for p in children]
        except OSError:
            pass
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def _postgres_backend_rss() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


# --- phases --------------------------------------------------------------------------------------------


def phase_load(args: argparse.Namespace) -> None:
    call_command("migrate", verbosity=0)
    existing = _organizations()
    if existing:
        print(f"{existing} organisations already loaded; nothing to do")
        return
    started = time.perf_counter()
    call_command("load_municipalities", verbosity=0)
    call_command("load_directory_reference", verbosity=0)
    used = f"seed_demo --organizations {args.organizations} --seed {args.seed}"
    call_command("seed_demo", organizations=args.organizations, seed=args.seed, quiet_accounts=True)
    seconds = time.perf_counter() - started
    print(f"loaded {_organizations():,} organisations with {used} in {seconds:.0f} s")
    _record("load", {"organizations": _organizations(), "generator": used, "seconds": seconds})


def phase_copy(args: argparse.Namespace) -> None:
    """PostgreSQL only: copy the corpus (organisations, capability links, certifications) from a SQLite
    benchmark database made by `load`, so both engines index the very same rows, in minutes."""
    import sqlite3

    from monozukuri.core.models import Municipality
    from monozukuri.directory.models import (
        Capability,
        Certification,
        IndustryDivision,
        Organization,
        OrganizationCapability,
    )

    if connection.vendor != "postgresql":
        raise SystemExit("copy writes into PostgreSQL; DATABASE_URL must name one")
    call_command("migrate", verbosity=0)
    if _organizations():
        print("organisations already loaded; nothing to do")
        return
    call_command("load_municipalities", verbosity=0)
    call_command("load_directory_reference", verbosity=0)
    started = time.perf_counter()
    source = sqlite3.connect(args.source)
    maps = {
        "municipality_id": (dict(source.execute("SELECT id, code FROM core_municipality")),
                            dict(Municipality.objects.values_list("code", "id"))),
        "industry_id": (dict(source.execute("SELECT id, code FROM directory_industrydivision")),
                        dict(IndustryDivision.objects.values_list("code", "id"))),
        "capability_id": (dict(source.execute("SELECT id, slug FROM directory_capability")),
                          dict(Capability.objects.values_list("slug", "id"))),
    }
    raw = connection.cursor().cursor
    for model in (Organization, OrganizationCapability, Certification):
        columns = [f.column for f in model._meta.concrete_fields]
        converters = []
        for column in columns:
            if column in maps:
                old, new = maps[column]
                converters.append(lambda v, old=old, new=new: None if v is None else new[old[v]])
            elif column == "merged_into_id":
                converters.append(lambda v: None)
            else:
                converters.append(lambda v: v)
        rows = source.execute(f"SELECT {', '.join(columns)} FROM {model._meta.db_table} ORDER BY id")
        count = 0
        with raw.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([convert(value) for convert, value in zip(converters, row, strict=True)])
                count += 1
        raw.execute(f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                    f"(SELECT max(id) FROM {model._meta.db_table}))")
        print(f"  {model._meta.db_table}: {count:,} rows", file=sys.stderr)
    raw.execute("ANALYZE")
    seconds = time.perf_counter() - started
    print(f"copied {_organizations():,} organisations from {args.source} in {seconds:.0f} s")
    _record("load", {"organizations": _organizations(), "generator": f"copy of {args.source}",
                     "seconds": seconds})


def phase_build(args: argparse.Namespace) -> None:
    from monozukuri.search.rebuild import index_rebuild

    started_cpu = resource.getrusage(resource.RUSAGE_SELF)

    def progress(done: int, total: int) -> None:
        print(f"\r  {done:>9,} / {total:,}", end="", file=sys.stderr, flush=True)

    with scopes_disabled(), PeakMemory() as memory:
        report = index_rebuild(jobs=args.jobs, batch_size=args.batch, progress=progress)
    print(file=sys.stderr)
    ended_cpu = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    pg_rss = _postgres_backend_rss()
    size = _index_size()
    print(f"index build: {report.documents:,} documents in {report.seconds:.1f} s "
          f"({report.documents / max(report.seconds, 1e-9):,.0f} docs/s), jobs={args.jobs}, "
          f"peak RSS (this process + workers) {memory.peak / 2**20:,.0f} MiB"
          + (f", PostgreSQL backend peak {pg_rss / 2**20:,.0f} MiB" if pg_rss else "")
          + f", index size {size / 2**20:,.0f} MiB")
    phases = ", ".join(f"{k} {v:.1f}" for k, v in report.phases.items())
    print(f"phases (s): {phases}; replayed {report.replayed}")
    _record("build", {"documents": report.documents, "seconds": report.seconds, "jobs": args.jobs,
                      "peak_rss": memory.peak, "pg_backend_peak": pg_rss, "index_bytes": size,
                      "phases": report.phases, "cpu_self": ended_cpu.ru_utime - started_cpu.ru_utime,
                      "cpu_children": children.ru_utime})


def _index_size() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_%'")
            return int(cursor.fetchone()[0] or 0)
        cursor.execute("SELECT pg_total_relation_size('search_document')")
        return int(cursor.fetchone()[0])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def phase_queries(args: argparse.Namespace) -> None:
    from monozukuri.directory.indexing import organization_search

    requests = query_requests(seed=args.seed)
    for _label, params in requests[:5]:  # warm the caches the way a running site has them
        organization_search(user=None, params=params)
    per_class: dict[str, list[float]] = {}
    icontains: dict[str, list[float]] = {}
    all_times: list[float] = []
    plans: dict[str, set[str]] = {}
    for _ in range(args.repeat):
        for label, params in requests:
            started = time.perf_counter()
            result = organization_search(user=None, params=params)
            elapsed = time.perf_counter() - started
            per_class.setdefault(label, []).append(elapsed)
            all_times.append(elapsed)
            plans.setdefault(label, set()).add(result.plan)
            if args.icontains and _ == 0:  # the scan is slow: once per request is enough for a median
                icontains.setdefault(label, []).append(_icontains(params))
    print(f"\n{connection.vendor}, {_organizations():,} organisations, "
          f"{len(requests)} queries × {args.repeat}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'class':<28}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
          + (f"{'icontains p50':>15}{'ratio':>8}" if args.icontains else "") + "  plans")
    summary = {}
    for label, _ in QUERY_MIX:
        times = per_class.get(label)
        if not times:
            continue
        p50, p95 = _percentile(times, 0.5) * 1000, _percentile(times, 0.95) * 1000
        line = f"{label:<28}{len(times):>5}{p50:>9.1f}{p95:>9.1f}{max(times) * 1000:>9.1f}"
        entry = {"n": len(times), "p50_ms": p50, "p95_ms": p95, "plans": sorted(plans[label])}
        if args.icontains:
            i50 = statistics.median(icontains[label]) * 1000
            line += f"{i50:>15.1f}{i50 / max(p50, 1e-6):>8.0f}×"
            entry["icontains_p50_ms"] = i50
        summary[label] = entry
        print(line + "  " + ",".join(sorted(plans[label])))
    p50, p95 = _percentile(all_times, 0.5) * 1000, _percentile(all_times, 0.95) * 1000
    print(f"{'ALL':<28}{len(all_times):>5}{p50:>9.1f}{p95:>9.1f}{max(all_times) * 1000:>9.1f}")
    _record("queries", {"organizations": _organizations(), "repeat": args.repeat, "p50_ms": p50,
                        "p95_ms": p95,
                        "classes": summary})


def _icontains(params: dict[str, Any]) -> float:
    """The same text filter as a plain icontains scan over the stored text (no index), capped count and a
    page, as the directory list did before the search engine."""
    from django.db.models import Q

    from monozukuri.directory.models import Organization

    started = time.perf_counter()
    qs = Organization.objects.filter(merged_into__isnull=True)
    for word in str(params.get("q", "")).split():
        if word.startswith("-"):
            continue
        word = word.strip('"')
        qs = qs.filter(Q(name__icontains=word) | Q(kana__icontains=word) | Q(summary__icontains=word)
                       | Q(products__icontains=word))
    if params.get("municipality"):
        qs = qs.filter(municipality__code=params["municipality"])
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    list(qs.values_list("id", flat=True)[:10_001])
    list(qs.order_by("kana", "id").values_list("id", flat=True)[:20])
    return time.perf_counter() - started


def phase_check(args: argparse.Namespace) -> None:
    """Single terms of 1–4 characters: the index's exact count against a substring scan of the same text."""
    from bench.search_mix import substring_terms
    from monozukuri.directory.indexing import organization_search, substring_count_corpus

    corpus = substring_count_corpus()
    terms = substring_terms(corpus, count=args.terms, seed=args.seed)
    wrong = []
    started = time.perf_counter()
    for term in terms:
        expected = corpus.count(term)
        got = organization_search(user=None, params={"q": term}, exact_count=True, facets=False).count
        if got != expected:
            wrong.append((term, expected, got))
    print(f"substring check on {connection.vendor}: {len(terms)} terms of 1–4 characters, "
          f"{len(wrong)} wrong counts ({time.perf_counter() - started:.0f} s)")
    for term, expected, got in wrong[:20]:
        print(f"  {term!r}: substring {expected}, index {got}")
    _record("check", {"terms": len(terms), "wrong": len(wrong), "examples": wrong[:20]})


def phase_api(args: argparse.Namespace) -> None:
    """Through the Django test client on GET /api/v1/organizations/?q=… (JSON, facets included)."""
    from django.test import Client

    call_command("createcachetable", verbosity=0)  # the API's throttling keeps its counters there
    client = Client()
    requests = query_requests(seed=args.seed)
    for _label, params in requests:  # warm-up
        client.get("/api/v1/organizations/", {"q": "", **params}, HTTP_HOST="localhost")
    times: list[float] = []
    per_class: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for label, params in requests:
            started = time.perf_counter()
            response = client.get("/api/v1/organizations/", {"q": "", **params}, HTTP_HOST="localhost")
            elapsed = time.perf_counter() - started
            times.append(elapsed)
            per_class.setdefault(label, []).append(elapsed)
            assert response.status_code == 200, response.content[:300]
            assert "facets" in response.json(), "not served by the search"
    print(f"\nGET /api/v1/organizations/ (test client), {connection.vendor}, "
          f"{_organizations():,} organisations, "
          f"{len(requests)} queries × {args.repeat}, load average {os.getloadavg()[0]:.1f}")
    print(f"{'class':<30}{'n':>4}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for label in sorted(per_class):
        t = per_class[label]
        print(f"{label:<30}{len(t):>4}{_percentile(t, 0.5) * 1000:>9.1f}{_percentile(t, 0.95) * 1000:>9.1f}"
              f"{max(t) * 1000:>9.1f}")
    p50, p95 = _percentile(times, 0.5) * 1000, _percentile(times, 0.95) * 1000
    print(f"{'ALL':<30}{len(times):>4}{p50:>9.1f}{p95:>9.1f}{max(times) * 1000:>9.1f}")
    _record("api", {"organizations": _organizations(), "p50_ms": p50, "p95_ms": p95, "n": len(times),
                    "classes": {k: [_percentile(v, 0.5) * 1000, _percentile(v, 0.95) * 1000]
                                for k, v in per_class.items()}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="phase", required=True)
    load = sub.add_parser("load")
    load.add_argument("organizations", type=int)
    load.add_argument("--seed", type=int, default=1)
    copy = sub.add_parser("copy")
    copy.add_argument("source", help="a SQLite database made by `load`")
    build = sub.add_parser("build")
    build.add_argument("--jobs", type=int, default=2)
    build.add_argument("--batch", type=int, default=2000)
    queries = sub.add_parser("queries")
    queries.add_argument("--repeat", type=int, default=5)
    queries.add_argument("--seed", type=int, default=7)
    queries.add_argument("--icontains", action="store_true")
    check = sub.add_parser("check")
    check.add_argument("--terms", type=int, default=200)
    check.add_argument("--seed", type=int, default=7)
    api = sub.add_parser("api")
    api.add_argument("--repeat", type=int, default=3)
    api.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    phases = {"load": phase_load, "copy": phase_copy, "build": phase_build, "queries": phase_queries,
              "check": phase_check, "api": phase_api}
    phases[args.phase](args)


if __name__ == "__main__":
    main()
