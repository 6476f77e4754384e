"""Matching benchmarks: candidate latency on a large directory, and the daily digest of new requests.

Run against a scratch database named by DATABASE_URL (``load`` writes a corpus into it):

    export DATABASE_URL=sqlite:///var/bench/matching-100k.sqlite3
    .venv/bin/python bench/bench_matching.py load 100000    # PostgreSQL: also `copy SQLITE_FILE` first
    .venv/bin/python bench/bench_matching.py setup            # requests, advisers, history
    .venv/bin/python bench/bench_matching.py candidates [--repeat 5] [--api]
    .venv/bin/python bench/bench_matching.py digest [--firms 100000] [--requests 1000] [--workers 2]

``load`` writes the corpus with ``manage.py seed_demo --organizations N --seed S`` (realistic Japanese
profiles with capabilities, certifications, coordinates), builds the search index with 2 jobs and runs
ANALYZE.
``candidates`` times ``selectors.candidate_list`` (what the page and the API call) for a mix of requests
(broad and narrow capabilities, materials by designation, every request kind), p50 / p95 / max.
``digest`` subscribes ``--firms`` firms, publishes ``--requests`` requests in the digest window, times
the plan and queueing, then drains the queue with ``--workers`` ``db_worker --batch`` processes
(mail through Django's dummy backend: rendering counted, SMTP not). Every phase prints a table and
appends a JSON line to var/bench/matching-results.jsonl.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monozukuri.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

RESULTS = ROOT / "var" / "bench" / "matching-results.jsonl"
SEED_TAG = "bench-matching"

# (kind, seeking, title, what, material, quantity, chosen capability slugs, certifications)
REQUEST_MIX: list[tuple[str, str, str, str, str, int | None, tuple[str, ...], tuple[str, ...]]] = [
    ("prototype", "manufacturer", "アルミ筐体の試作", "小型筐体", "A5052", 10, ("five-axis-machining",), ()),
    (
        "prototype",
        "manufacturer",
        "ステンレス架台の製作",
        "架台",
        "SUS304",
        5,
        ("sheet-metal", "tig-welding"),
        (),
    ),
    (
        "prototype",
        "manufacturer",
        "ABS ケースの射出成形",
        "樹脂ケース",
        "ABS",
        5000,
        ("injection-molding",),
        (),
    ),
    ("prototype", "manufacturer", "ボルトの亜鉛めっき", "ボルト", "SS400", 20000, ("zinc-plating",), ()),
    ("prototype", "manufacturer", "真鍮の旋盤部品", "継手", "C3604", 300, ("nc-turning",), ()),
    (
        "prototype",
        "manufacturer",
        "医療機器部品の試作",
        "内視鏡部品",
        "SUS316L",
        20,
        ("micro-machining",),
        ("ISO 13485",),
    ),
    ("prototype", "manufacturer", "切削加工の相談", "機械部品", "", None, ("cutting",), ()),
    (
        "prototype",
        "manufacturer",
        "SPCC のレーザー加工と曲げ",
        "カバー",
        "SPCC",
        100,
        ("laser-cutting", "press-brake-bending"),
        (),
    ),
    (
        "prototype",
        "manufacturer",
        "FC250 鋳物のポンプ部品",
        "ポンプケーシング",
        "FC250",
        50,
        ("sand-casting",),
        (),
    ),
    ("prototype", "manufacturer", "樹脂の3Dプリント試作", "筐体モックアップ", "PA12", 3, ("resin-am",), ()),
    ("prototype", "manufacturer", "基板実装と組立", "IoT センサー基板", "", 500, ("pcb-assembly",), ()),
    (
        "prototype",
        "manufacturer",
        "チタンの微細加工",
        "インプラント試作",
        "TAP6400",
        10,
        ("micro-machining",),
        (),
    ),
    (
        "collaboration",
        "designer",
        "介護用品のデザイン協業",
        "歩行補助具",
        "",
        None,
        ("industrial-design",),
        (),
    ),
    ("collaboration", "manufacturer", "革小物の製品化パートナー", "革財布", "", 200, ("leatherwork",), ()),
    ("joint_research", "research", "画像検査の共同研究", "外観検査", "", None, ("inspection",), ()),
    ("mentoring", "adviser", "量産立ち上げのメンター", "量産設計", "", None, ("mechanical-design",), ()),
    ("prototype", "manufacturer", "刺繍ワッペンの小ロット", "ワッペン", "", 100, ("embroidery",), ()),
    ("prototype", "manufacturer", "ワイヤーカットで金型部品", "金型部品", "SKD11", 4, ("wire-edm",), ()),
    ("prototype", "manufacturer", "江戸切子のグラス", "グラス", "", 50, ("edo-kiriko",), ()),
    ("prototype", "manufacturer", "めっき", "", "", None, ("plating",), ()),
]


def _record(kind: str, data: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    line = {
        "kind": kind,
        "vendor": connection.vendor,
        "at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load": os.getloadavg(),
        **data,
    }
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _count() -> int:
    from monozukuri.directory.models import Organization

    return Organization.objects.count()


def phase_load(args: argparse.Namespace) -> None:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if _count():
        print(f"{_count():,} organisations already loaded; nothing to load")
    else:
        started = time.perf_counter()
        call_command("load_municipalities", verbosity=0)
        call_command("load_directory_reference", verbosity=0)
        with scopes_disabled():
            call_command("seed_demo", organizations=args.organizations, seed=args.seed, quiet_accounts=True)
        print(f"loaded {_count():,} organisations in {time.perf_counter() - started:.0f} s")
    from monozukuri.search.rebuild import index_rebuild

    started = time.perf_counter()
    with scopes_disabled():
        report = index_rebuild(jobs=args.jobs)
    with connection.cursor() as cursor:  # planner statistics after a bulk load (autovacuum would, later)
        cursor.execute("ANALYZE")
    print(f"index: {report.documents:,} documents in {time.perf_counter() - started:.0f} s")
    _record("load", {"organizations": _count(), "index_seconds": report.seconds})


def _staff(code: str = "131075") -> Any:
    from django.contrib.auth import get_user_model

    from monozukuri.core.models import Municipality

    municipality = Municipality.objects.get(code=code)
    user, _created = get_user_model().objects.get_or_create(
        email=f"staff-{code}@{SEED_TAG}.example.jp",
        defaults={"role": "municipal_staff", "municipality": municipality, "display_name": "ベンチ職員"},
    )
    return user


def phase_copy(args: argparse.Namespace) -> None:
    """PostgreSQL only: copy a SQLite corpus's organisations, capability links and certifications (ids kept,
    reference ids mapped by code), so both engines rank the very same rows; then ``load`` builds the index."""
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
    call_command("createcachetable", verbosity=0)
    if _count():
        print("organisations already there; nothing to copy")
        return
    call_command("load_municipalities", verbosity=0)
    call_command("load_directory_reference", verbosity=0)
    started = time.perf_counter()
    source = sqlite3.connect(f"file:{args.source}?mode=ro", uri=True)
    maps = {
        "municipality_id": (
            dict(source.execute("SELECT id, code FROM core_municipality")),
            dict(Municipality.objects.values_list("code", "id")),
        ),
        "industry_id": (
            dict(source.execute("SELECT id, code FROM directory_industrydivision")),
            dict(IndustryDivision.objects.values_list("code", "id")),
        ),
        "capability_id": (
            dict(source.execute("SELECT id, slug FROM directory_capability")),
            dict(Capability.objects.values_list("slug", "id")),
        ),
    }
    raw = connection.cursor().cursor
    for model in (Organization, OrganizationCapability, Certification):
        columns = [f.column for f in model._meta.concrete_fields]
        convert = [maps.get(c) for c in columns]
        rows = source.execute(f"SELECT {', '.join(columns)} FROM {model._meta.db_table} ORDER BY id")
        with raw.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        None
                        if column == "merged_into_id"
                        else (value if m is None or value is None else m[1][m[0][value]])
                        for column, m, value in zip(columns, convert, row, strict=True)
                    ]
                )
        raw.execute(
            f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
            f"(SELECT max(id) FROM {model._meta.db_table}))"
        )
    raw.execute("ANALYZE")
    print(f"copied {_count():,} organisations from {args.source} in {time.perf_counter() - started:.0f} s")
    _record(
        "copy", {"organizations": _count(), "source": args.source, "seconds": time.perf_counter() - started}
    )


def _admin() -> Any:
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(
        email=f"admin@{SEED_TAG}.example.jp",
        defaults={"role": "platform_admin", "display_name": "ベンチ管理者"},
    )
    return user


def _requesters(n: int) -> list[Any]:
    from monozukuri.directory.models import Organization

    return list(
        Organization.objects.filter(kind="startup", status="active", municipality__isnull=False)
        .select_related("municipality")
        .order_by("id")[:n]
    )


def _create_request(
    actor: Any,
    requester: Any,
    spec: tuple[Any, ...],
    *,
    publish: bool,
    when: datetime.datetime,
    measure: Any = None,
) -> Any:
    from monozukuri.directory.models import Capability
    from monozukuri.matching.models import PartnerRequest, RequestStatus
    from monozukuri.matching.services.requests import capabilities_set

    kind, seeking, title, what, material, quantity, slugs, certs = spec
    description = (
        f"{title}。{what}を{material or '指定の材料'}で{quantity or '少数'}個。詳細はご相談ください。"
    )
    request = PartnerRequest.objects.create(
        municipality=requester.municipality,
        requester=requester,
        created_by=actor,
        kind=kind,
        seeking=seeking,
        title=title,
        what=what,
        material=material,
        quantity=quantity,
        description=description,
        required_certifications=list(certs),
        status=RequestStatus.PUBLISHED if publish else RequestStatus.DRAFT,
        published_at=when if publish else None,
        measure=measure,
        expires_on=(when + datetime.timedelta(days=90)).date() if publish else None,
    )
    ids = list(Capability.objects.filter(slug__in=slugs).values_list("id", flat=True))
    capabilities_set(request, ids)
    return request


def phase_setup(args: argparse.Namespace) -> None:
    """The request mix (published), 200 advisers, and some contracted history for the outcomes score."""
    import random

    from monozukuri.directory.models import Capability, Organization
    from monozukuri.matching.models import Adviser, Introduction, PartnerRequest

    rng = random.Random(7)
    with scopes_disabled():
        if PartnerRequest.objects.filter(title__in=[m[2] for m in REQUEST_MIX]).exists():
            print("request mix already set up")
            return
        staff = _staff()
        requesters = _requesters(len(REQUEST_MIX))
        now = timezone.now()
        with transaction.atomic():
            for spec, requester in zip(REQUEST_MIX, requesters, strict=False):
                _create_request(staff, requester, spec, publish=True, when=now)
            caps = list(Capability.objects.filter(kind="process").values_list("id", flat=True))
            from monozukuri.core.models import Municipality

            offices = list(Municipality.objects.exclude(code="130001"))
            for i in range(200):
                adviser = Adviser.objects.create(
                    name=f"アドバイザー{i}",
                    headline="元メーカー技術者",
                    bio="設計と量産立ち上げの経験。",
                    office=offices[i % len(offices)],
                    municipality=offices[(i * 7) % len(offices)],
                    years_experience=rng.randint(5, 40),
                    max_mentees=3,
                    last_confirmed_on=now.date(),
                )
                adviser.capabilities.set(rng.sample(caps, 4))
            # Past contracts: 2,000 introductions spread over the manufacturers, for the outcomes score.
            firms = list(
                Organization.objects.filter(kind="manufacturer")
                .order_by("?")
                .values_list("id", flat=True)[:2000]
            )
            past = _create_request(staff, requesters[0], REQUEST_MIX[0], publish=True, when=now)
            Introduction.objects.bulk_create(
                [
                    Introduction(
                        municipality_id=past.municipality_id,
                        request=past,
                        candidate_org_id=f,
                        status="contracted",
                        contract_amount=100000,
                        contracted_on=now.date(),
                        requester_consented_at=now,
                        candidate_consented_at=now,
                        consented_at=now,
                    )
                    for f in firms
                ],
                batch_size=1000,
            )
    print(f"set up {len(REQUEST_MIX)} requests, 200 advisers, {len(firms)} past contracts")


def phase_candidates(args: argparse.Namespace) -> None:
    from django.test import Client

    from monozukuri.matching import selectors
    from monozukuri.matching.models import PartnerRequest

    with scopes_disabled():
        staff = _admin()  # the requests belong to several offices; an admin sees every candidate list
        requests = list(
            PartnerRequest.objects.filter(title__in=[m[2] for m in REQUEST_MIX], status="published").order_by(
                "id"
            )[: len(REQUEST_MIX)]
        )
    timings: list[float] = []
    cpu: list[float] = []
    per_request: dict[str, list[float]] = {}
    parts: dict[str, list[float]] = {}
    sizes: list[int] = []
    for _round in range(args.repeat + 1):
        for request in requests:
            with scopes_disabled():
                full = selectors.request_get(user=staff, pk=request.pk)
                started, started_cpu = time.perf_counter(), time.process_time()
                ranking = selectors.candidate_list(user=staff, request=full, limit=20)
                elapsed, used = time.perf_counter() - started, time.process_time() - started_cpu
            if _round == 0:
                continue  # warm-up round: caches, first connection, imports
            timings.append(elapsed)
            cpu.append(used)
            per_request.setdefault(request.title, []).append(elapsed)
            for key, value in ranking.timings.items():
                parts.setdefault(key, []).append(value)
            sizes.append(ranking.preselected)
    api_times: list[float] = []
    if args.api:
        call_command("createcachetable", verbosity=0)  # the API's throttling keeps its counters there
        client = Client()
        client.force_login(staff)
        for _round in range(args.repeat):
            for request in requests:
                started = time.perf_counter()
                response = client.get(f"/api/v1/requests/{request.pk}/candidates/")
                api_times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.content[:300]
    print(
        f"{_count():,} organisations, {len(requests)} requests × {args.repeat} rounds ({connection.vendor})"
    )
    print(
        f"candidate_list: p50 {statistics.median(timings) * 1000:.1f} ms, "
        f"p95 {_percentile(timings, 0.95) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms; "
        f"scored per request: median {statistics.median(sizes):.0f}"
    )
    print(
        f"  CPU time of this process (SQLite runs in it; PostgreSQL's server time is not included): "
        f"p50 {statistics.median(cpu) * 1000:.1f} ms, p95 {_percentile(cpu, 0.95) * 1000:.1f} ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print("parts (p95 ms): " + ", ".join(f"{k} {_percentile(v, 0.95) * 1000:.1f}" for k, v in parts.items()))
    for title, values in per_request.items():
        print(f"  {title:<24} median {statistics.median(values) * 1000:7.1f} ms")
    if api_times:
        print(
            f"API GET /requests/{{id}}/candidates/: p50 {statistics.median(api_times) * 1000:.1f} ms, "
            f"p95 {_percentile(api_times, 0.95) * 1000:.1f} ms"
        )
    _record(
        "candidates",
        {
            "organizations": _count(),
            "repeat": args.repeat,
            "p50_ms": statistics.median(timings) * 1000,
            "p95_ms": _percentile(timings, 0.95) * 1000,
            "max_ms": max(timings) * 1000,
            "cpu_p50_ms": statistics.median(cpu) * 1000,
            "cpu_p95_ms": _percentile(cpu, 0.95) * 1000,
            "api_p50_ms": statistics.median(api_times) * 1000 if api_times else None,
            "api_p95_ms": _percentile(api_times, 0.95) * 1000 if api_times else None,
            "parts_p95_ms": {k: _percentile(v, 0.95) * 1000 for k, v in parts.items()},
            "scored_median": statistics.median(sizes),
        },
    )


def _extra_firms(n: int) -> None:
    """Manufacturers for the digest only (3–5 capabilities each, not indexed: the digest reads the
    capability links, never the search index), when the corpus has fewer than ``--firms``."""
    import random

    from monozukuri.core.models import Municipality
    from monozukuri.directory.models import Capability, Organization, OrganizationCapability

    rng = random.Random(11)
    caps = list(Capability.objects.values_list("id", flat=True))
    places = list(Municipality.objects.exclude(code="130001").values_list("id", flat=True))
    start = (Organization.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    for first in range(0, n, 5000):
        ids = range(start + first, start + min(n, first + 5000))
        with transaction.atomic():
            Organization.objects.bulk_create(
                [
                    Organization(
                        id=i,
                        name=f"[digest] 製作所{i}",
                        name_normalized=f"digest{i}",
                        kind="manufacturer",
                        municipality_id=rng.choice(places),
                    )
                    for i in ids
                ],
                batch_size=1000,
            )
            OrganizationCapability.objects.bulk_create(
                [
                    OrganizationCapability(organization_id=i, capability_id=c)
                    for i in ids
                    for c in rng.sample(caps, rng.randint(3, 5))
                ],
                batch_size=5000,
            )


def _subscribe(firms: int) -> int:
    """Give ``firms`` manufacturers one member each who opted in to the digest (idempotent)."""
    from django.contrib.auth import get_user_model

    from monozukuri.directory.models import Organization, OrganizationMembership
    from monozukuri.matching.models import MatchingPreference

    user_model = get_user_model()
    existing = MatchingPreference.objects.filter(request_digest=True).count()
    if existing >= firms:
        return existing
    free = Organization.objects.filter(
        kind="manufacturer", status="active", merged_into__isnull=True, memberships__isnull=True
    )
    shortfall = firms - existing - free.count()
    if shortfall > 0:
        _extra_firms(shortfall)
    ids = list(free.order_by("id").values_list("id", flat=True)[: firms - existing])
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        with transaction.atomic():
            users = user_model.objects.bulk_create(
                [
                    user_model(
                        email=f"firm{i}@{SEED_TAG}.example.jp", role="organization_member", password="!"
                    )
                    for i in chunk
                ],
                batch_size=1000,
            )
            if users[0].pk is None:  # SQLite before returning ids: read them back
                users = list(user_model.objects.filter(email__in=[u.email for u in users]).order_by("id"))
            OrganizationMembership.objects.bulk_create(
                [
                    OrganizationMembership(organization_id=o, user=u, role="owner")
                    for o, u in zip(chunk, users, strict=True)
                ],
                batch_size=1000,
            )
            MatchingPreference.objects.bulk_create(
                [MatchingPreference(user=u, request_digest=True) for u in users], batch_size=1000
            )
        print(f"\r  subscribed {existing + start + len(chunk):,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return MatchingPreference.objects.filter(request_digest=True).count()


def phase_digest(args: argparse.Namespace) -> None:
    from django_tasks_db.models import DBTaskResult

    from monozukuri.matching.models import DigestRun, PartnerRequest
    from monozukuri.matching.services.digests import request_digest_run

    with scopes_disabled():
        subscribed = _subscribe(args.firms)
        staff = _staff()
        requesters = _requesters(50)
        DigestRun.objects.all().delete()
        window_start = timezone.now()
        DigestRun.objects.create(
            window_start=window_start - datetime.timedelta(days=1), window_end=window_start
        )
        PartnerRequest.objects.filter(title__startswith="[digest]").delete()
        started = time.perf_counter()
        with transaction.atomic():
            for i in range(args.requests):
                spec = REQUEST_MIX[i % len(REQUEST_MIX)]
                spec = (spec[0], spec[1], f"[digest] {spec[2]} {i}", *spec[3:])
                _create_request(
                    staff,
                    requesters[i % len(requesters)],
                    spec,
                    publish=True,
                    when=window_start + datetime.timedelta(seconds=1 + i % 600),
                )
        print(
            f"published {args.requests} requests in {time.perf_counter() - started:.0f} s (set-up, not timed)"
        )
        DBTaskResult.objects.all().delete()
        started = time.perf_counter()
        run = request_digest_run(now=window_start + datetime.timedelta(hours=1))
        planned = time.perf_counter() - started
        queued = DBTaskResult.objects.count()
    print(
        f"plan + queue: {planned:.1f} s — {run.recipients:,} recipients of {subscribed:,} subscribed, "
        f"{run.requests} requests, {queued} task batches"
    )
    env = {**os.environ, "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--worker-id",
                f"bench-{i}",
                "-v",
                "0",
            ],
            cwd=ROOT,
            env=env,
        )
        for i in range(args.workers)
    ]
    for worker in workers:
        worker.wait()
    sent = time.perf_counter() - started
    with scopes_disabled():
        statuses = dict(
            DBTaskResult.objects.values_list("status").annotate(
                n=__import__("django.db.models", fromlist=["Count"]).Count("id")
            )
        )
        mails = sum(
            r
            for r in DBTaskResult.objects.filter(status="SUCCESSFUL").values_list("return_value", flat=True)
            if isinstance(r, int)
        )
    total = planned + sent
    print(f"send ({args.workers} workers): {sent:.1f} s, {mails:,} mails; task statuses {statuses}")
    print(f"total {total:.1f} s ({total / 60:.1f} min) for {subscribed:,} firms × {run.requests} requests")
    _record(
        "digest",
        {
            "organizations": _count(),
            "subscribed": subscribed,
            "requests": run.requests,
            "recipients": run.recipients,
            "batches": queued,
            "plan_seconds": planned,
            "send_seconds": sent,
            "mails": mails,
            "workers": args.workers,
            "statuses": statuses,
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="phase", required=True)
    load = sub.add_parser("load")
    load.add_argument("organizations", type=int)
    load.add_argument("--seed", type=int, default=1)
    load.add_argument("--jobs", type=int, default=2)
    copy = sub.add_parser("copy")
    copy.add_argument("source", help="a SQLite benchmark database")
    sub.add_parser("setup")
    candidates = sub.add_parser("candidates")
    candidates.add_argument("--repeat", type=int, default=5)
    candidates.add_argument("--api", action="store_true")
    digest = sub.add_parser("digest")
    digest.add_argument("--firms", type=int, default=100_000)
    digest.add_argument("--requests", type=int, default=1_000)
    digest.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    {
        "load": phase_load,
        "copy": phase_copy,
        "setup": phase_setup,
        "candidates": phase_candidates,
        "digest": phase_digest,
    }[args.phase](args)


if __name__ == "__main__":
    main()
