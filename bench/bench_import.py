"""Benchmark: import N gBizINFO rows into a fresh database (SQLite and PostgreSQL); rows/s and peak memory.

    .venv/bin/python bench/bench_import.py --rows 1000000 --engines sqlite,postgresql

Writes the file with bench/make_gbizinfo.py into /tmp (CP932, 20% of rows in variant forms; kept and
reused), then for each engine runs the import in a child process against a fresh database: a temporary
SQLite file, or a temporary PostgreSQL database created on --pg-url and dropped afterwards. The child
migrates, loads municipalities and JSIC, imports through the service (as `manage.py
import_organizations` does) and reports:

- wall time and rows/s;
- CPU per row: the importing process, its reader process, and (PostgreSQL) the server backend — on a
  shared machine wall time depends on the load, CPU per row does not;
- peak RSS of the importing process and of its reader process (getrusage);
- with --reimport, the same file imported a second time (every row unchanged).

"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) of a local process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(args: argparse.Namespace) -> None:
    """Runs in a fresh process with DATABASE_URL set: migrate, load reference data, import, report."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monozukuri.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from monozukuri.core.reference_data import municipalities_load
    from monozukuri.directory.reference_data import industry_divisions_load
    from monozukuri.directory.services.imports import organizations_import

    call_command("migrate", verbosity=0)
    if args.drop_pattern_indexes and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the proposal in docs/benchmarks-import.md, to measure it
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'directory_organization' "
                           "AND indexname LIKE '%%_like'")
            for (index,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{index}"')
    municipalities_load()
    industry_divisions_load()
    backend_pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
    report: dict[str, Any] = {"engine": connection.vendor, "rows": args.rows, "reader": args.reader}
    passes = ["import", "reimport"] if args.reimport else ["import"]
    for name in passes:
        backend_before = _cpu_of(backend_pid) if backend_pid else 0.0
        self_before = resource.getrusage(resource.RUSAGE_SELF)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        with open(args.file, "rb") as file:
            result = organizations_import(actor=None, file=file, file_name=Path(args.file).name,
                                          reader=args.reader)
        wall = time.perf_counter() - started
        self_after = resource.getrusage(resource.RUSAGE_SELF)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        rows = result.rows_total or 1
        report[name] = {
            "status": result.status, "counts": result.counts(), "wall_s": round(wall, 2),
            "rows_per_s": round(rows / wall),
            "cpu_us_per_row": {
                "importer": round((self_after.ru_utime + self_after.ru_stime - self_before.ru_utime
                                   - self_before.ru_stime) / rows * 1e6, 1),
                "reader": round((children_after.ru_utime + children_after.ru_stime - children_before.ru_utime
                                 - children_before.ru_stime) / rows * 1e6, 1),
                "database_server": round((_cpu_of(backend_pid) - backend_before) / rows * 1e6, 1)
                if backend_pid else None,
            },
        }
    report["peak_rss_mib"] = {
        "importer": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "reader": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }
    print("RESULT " + json.dumps(report, ensure_ascii=False), flush=True)


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{url.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run_engine(engine: str, args: argparse.Namespace, path: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("TEST_DATABASE_NAME", None)
    cleanup: list[Any] = []
    if engine == "sqlite":
        directory = tempfile.mkdtemp(prefix="mzk-bench-import-")
        env["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
        cleanup.append(lambda: subprocess.run(["rm", "-rf", directory], check=False))
    else:
        name = f"mzk_bench_import_{os.getpid()}"
        _pg_admin(args.pg_url, f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{args.pg_url.rstrip('/')}/{name}"
        if not args.keep_database:
            cleanup.append(lambda: _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    command = [sys.executable, __file__, "--child", "--file", str(path), "--rows", str(args.rows),
               "--reader", args.reader, *(["--reimport"] if args.reimport else []),
               *(["--drop-pattern-indexes"] if args.drop_pattern_indexes else [])]
    try:
        completed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    finally:
        for step in cleanup:
            step()
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    if completed.returncode or not lines:
        raise SystemExit(f"{engine} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--reader", default="process", choices=["inline", "thread", "process"])
    parser.add_argument("--encoding", default="cp932", choices=["cp932", "utf-8", "utf-8-sig"])
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--reimport", action="store_true", help="also time a second import of the same file")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--drop-pattern-indexes", action="store_true",
                        help="experiment: drop the varchar_pattern_ops (_like) indexes Django adds for "
                             "db_index=True CharFields on PostgreSQL, to measure what they cost")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    from bench.make_gbizinfo import write_gbizinfo

    path = Path(tempfile.gettempdir()) / f"mzk-bench-gbizinfo-{args.rows}-{args.encoding}.csv"
    if not path.exists():
        started = time.perf_counter()
        write_gbizinfo(path.with_suffix(".tmp"), args.rows, encoding=args.encoding, seed=1)
        path.with_suffix(".tmp").rename(path)
        took = time.perf_counter() - started
        print(f"wrote {path} ({path.stat().st_size / 2**20:.0f} MiB) in {took:.0f} s")
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    for engine in args.engines.split(","):
        report = run_engine(engine.strip(), args, path)
        print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
